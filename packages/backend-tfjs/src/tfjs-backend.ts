import { tf } from '@attune/tensor';
import { type BackendChoice, type BackendPreference, selectBackend } from './backend-selection.js';
import { loadOnnxGraph, type OnnxGraph } from './onnx-graph.js';

export interface TfjsBackendOptions {
  /** Which tfjs backend to run on; 'auto' picks the fastest that loads. */
  readonly backend: BackendPreference;
}

/** What the 'backend-tfjs' plugin creates: the chosen tfjs backend and a loader of ONNX graphs on it. */
export interface TfjsBackend {
  /** The backend in use and why it was chosen; results should report it. */
  readonly backend: BackendChoice;
  /** Loads an ONNX model (path or bytes) for execution and input gradients on this backend. */
  loadGraph(pathOrBytes: string | Uint8Array): Promise<OnnxGraph>;
  /** Disposes every graph loaded through this instance. */
  dispose(): void;
}

/**
 * Selects the tfjs backend, then loads graphs on it. tfjs has one active backend per process, so loading
 * re-activates this instance's backend if something switched it since.
 */
export async function createTfjsBackend(options: TfjsBackendOptions): Promise<TfjsBackend> {
  const backend = await selectBackend(options.backend);
  const graphs = new Set<OnnxGraph>();
  return {
    backend,
    async loadGraph(pathOrBytes) {
      if (tf.getBackend() !== backend.tfBackend) await tf.setBackend(backend.tfBackend);
      const graph = await loadOnnxGraph(pathOrBytes);
      graphs.add(graph);
      return graph;
    },
    dispose() {
      for (const graph of graphs) graph.dispose();
      graphs.clear();
    },
  };
}

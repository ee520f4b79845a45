// Where the image comes from: a bundled sample (MNIST / Fashion-MNIST test images) or an upload, plus the
// classes to choose from (a dataset's names, or a typed list).
import { useEffect, useState } from 'preact/hooks';
import { api, type Sample } from '../api.js';
import { useAsync } from '../use-async.js';

export interface ImageChoice {
  readonly sample?: Sample;
  readonly file?: File;
  /** A dataset name or "a,b,c"; undefined: the sample's own classes. */
  readonly classes?: string;
}

/** Adds the image fields of a run request. */
export function appendImage(form: FormData, choice: ImageChoice): void {
  if (choice.file) form.append('image', choice.file, choice.file.name);
  else if (choice.sample) form.append('sample', choice.sample.id);
  if (choice.classes !== undefined) form.append('classes', choice.classes);
}

export function ImagePicker({ onChange }: { onChange: (choice: ImageChoice) => void }) {
  const { data, error } = useAsync(api.samples);
  const [source, setSource] = useState<'sample' | 'upload'>('sample');
  const [sampleId, setSampleId] = useState('mnist-test-0');
  const [file, setFile] = useState<File | undefined>();
  const [preview, setPreview] = useState<string | undefined>();
  const [classSet, setClassSet] = useState('mnist');
  const [custom, setCustom] = useState('cat, dog, car, tree');

  useEffect(() => {
    const sample = data?.samples.find((s) => s.id === sampleId);
    const classes = classSet === 'custom' ? custom : classSet;
    if (source === 'sample')
      onChange({ ...(sample ? { sample } : {}), ...(classSet === 'own' ? {} : { classes }) });
    else onChange({ ...(file ? { file } : {}), classes });
  }, [data, source, sampleId, file, classSet, custom]);

  useEffect(() => {
    if (!file) return setPreview(undefined);
    const url = URL.createObjectURL(file);
    setPreview(url);
    return () => URL.revokeObjectURL(url);
  }, [file]);

  if (error)
    return (
      <p role="alert" class="error">
        Cannot load the samples: {error}
      </p>
    );
  const sets = Object.keys(data?.classSets ?? {});
  return (
    <fieldset class="image-picker">
      <legend>Image</legend>
      <div class="tabs" role="radiogroup" aria-label="Image source">
        {(['sample', 'upload'] as const).map((s) => (
          <label key={s} class={`tab ${source === s ? 'active' : ''}`}>
            <input
              type="radio"
              name="image-source"
              value={s}
              checked={source === s}
              onChange={() => {
                setSource(s);
                if (s === 'sample' && classSet === 'custom') setClassSet('own');
              }}
            />
            {s === 'sample' ? 'Bundled sample' : 'Upload'}
          </label>
        ))}
      </div>
      {source === 'sample' ? (
        <div class="samples" role="radiogroup" aria-label="Bundled samples">
          {data?.samples.map((s) => (
            <label
              key={s.id}
              class={`sample ${s.id === sampleId ? 'selected' : ''}`}
              title={`${s.dataset} test #${s.index}: ${s.label}`}
            >
              <input
                type="radio"
                name="sample"
                value={s.id}
                checked={s.id === sampleId}
                onChange={() => setSampleId(s.id)}
              />
              <img
                src={`/api/samples/${s.id}/image.png`}
                alt={`${s.dataset} test sample ${s.index}: ${s.label}`}
                width={56}
                height={56}
              />
            </label>
          ))}
        </div>
      ) : (
        <div class="field upload">
          <label for="upload">PNG or JPEG, up to 8 MiB and 16 megapixels</label>
          <input
            id="upload"
            type="file"
            accept="image/png,image/jpeg"
            onChange={(e) => setFile(e.currentTarget.files?.[0])}
          />
          {preview && <img class="preview" src={preview} alt="your upload" />}
        </div>
      )}
      <div class="field">
        <label for="classes">Classes</label>
        <select id="classes" value={classSet} onChange={(e) => setClassSet(e.currentTarget.value)}>
          {source === 'sample' && <option value="own">the sample's dataset</option>}
          {sets.map((s) => (
            <option key={s} value={s}>
              {s} ({data?.classSets[s]?.length} classes)
            </option>
          ))}
          {source === 'upload' && <option value="custom">my own list…</option>}
        </select>
      </div>
      {classSet === 'custom' && source === 'upload' && (
        <div class="field">
          <label for="custom-classes">Class names, comma-separated</label>
          <input
            id="custom-classes"
            type="text"
            value={custom}
            onInput={(e) => setCustom(e.currentTarget.value)}
          />
        </div>
      )}
    </fieldset>
  );
}

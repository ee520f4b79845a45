import type { TopLevelSpec } from 'vega-lite';

/**
 * Renders a vega-lite spec to SVG headless: vega-lite compiles it and vega renders it with no browser and no
 * canvas (text widths are estimated). Both are imported on first use, so worker processes and plugins
 * importing this package do not pay for loading them.
 */
export async function renderVegaLiteSvg(spec: TopLevelSpec): Promise<string> {
  const [vega, vegaLite] = await Promise.all([import('vega'), import('vega-lite')]);
  const view = new vega.View(vega.parse(vegaLite.compile(spec).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

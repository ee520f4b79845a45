// GET /api: the routes, for people and scripts (README.md has the same table with examples).
export const API_INDEX = {
  name: 'attune web API',
  routes: [
    {
      method: 'GET',
      path: '/api/plugins',
      returns: 'every installed plugin: kind, contract, config JSON Schema, defaults',
    },
    { method: 'GET', path: '/api/plugins/<name>', returns: 'one plugin' },
    {
      method: 'POST',
      path: '/api/plugins/<name>/check-config',
      body: 'JSON config',
      returns: '{ ok, problems }',
    },
    { method: 'GET', path: '/api/samples', returns: 'bundled sample images and class sets' },
    { method: 'GET', path: '/api/tasks', returns: 'the tasks prompt tuners can be trained on' },
    {
      method: 'GET',
      path: '/api/adapters',
      returns: 'prompt-tuning adapters under the adapter roots (the path a predict request names)',
    },
    { method: 'GET', path: '/api/samples/<id>/image.png', returns: 'a sample image' },
    {
      method: 'POST',
      path: '/api/run/<plugin>',
      body: 'multipart or JSON: image (PNG/JPEG file) or sample, classes, config (JSON), seed; text-answer: prompt; expert-remix: prompt, options; prompt-tuning: action "predict" with adapter and prompt, or action "train" with task',
      returns: '202 { job, events, self }',
    },
    { method: 'GET', path: '/api/jobs/<id>', returns: '{ status, result, error }' },
    {
      method: 'GET',
      path: '/api/jobs/<id>/events',
      returns:
        'server-sent events: queued, started, progress (training adds metrics: loss, msPerStep, etaMs), result | error | cancelled',
    },
    { method: 'POST', path: '/api/jobs/<id>/cancel', returns: '{ cancelled, status }' },
    { method: 'GET', path: '/api/jobs/<id>/files/<name>', returns: 'a file of the result (view PNGs)' },
    { method: 'GET', path: '/api/runs?suite=&method=&seed=', returns: 'benchmark runs in the result store' },
    {
      method: 'GET',
      path: '/api/runs/<id>?method=&seed=',
      returns: 'a run summary and its accuracy plot (SVG)',
    },
  ],
} as const;

// Runs an afscan ONNX model with onnxruntime-node (the reference ONNX
// runtime) on feature vectors read as JSON from stdin:
//   {"model": "path.onnx", "inputs": [[f0, f1, ...], ...], "timing_runs": N}
// and prints {"outputs": [[pN, pA, pO, p~], ...], "ns_per_run": x} on stdout.
// Used by the parity test and the latency report of package inference/onnx.
const ort = require('onnxruntime-node');

async function main() {
  const chunks = [];
  for await (const c of process.stdin) chunks.push(c);
  const req = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  const session = await ort.InferenceSession.create(req.model, {
    intraOpNumThreads: 1, interOpNumThreads: 1, graphOptimizationLevel: 'all',
  });
  const outputs = [];
  for (const x of req.inputs) {
    const t = new ort.Tensor('float32', Float32Array.from(x), [1, x.length]);
    const r = await session.run({ features: t });
    outputs.push(Array.from(r.probabilities.data));
  }
  let nsPerRun = 0;
  const n = req.timing_runs || 0;
  if (n > 0 && req.inputs.length > 0) {
    const t = new ort.Tensor('float32', Float32Array.from(req.inputs[0]), [1, req.inputs[0].length]);
    for (let i = 0; i < Math.min(n, 100); i++) await session.run({ features: t }); // warm-up
    const start = process.hrtime.bigint();
    for (let i = 0; i < n; i++) await session.run({ features: t });
    nsPerRun = Number(process.hrtime.bigint() - start) / n;
  }
  process.stdout.write(JSON.stringify({ outputs, ns_per_run: nsPerRun }));
}

main().catch((e) => { process.stderr.write(String(e && e.stack || e) + '\n'); process.exit(1); });

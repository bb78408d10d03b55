// Validates FHIR R4 resources with the npm "fhir" package (v4.12.0):
// reads a JSON array of resources on stdin and prints one JSON line per
// resource: {"index": i, "valid": bool, "messages": [...]}.
// Run by api's TestFHIRValidator with NODE_PATH pointing at the repository's
// node_modules (installed by .ci/setup.d/50-fhir.sh).
"use strict";
const { Fhir } = require("fhir");
const fhir = new Fhir();
let input = "";
process.stdin.setEncoding("utf8");
process.stdin.on("data", (chunk) => { input += chunk; });
process.stdin.on("end", () => {
  const resources = JSON.parse(input);
  resources.forEach((resource, index) => {
    const result = fhir.validate(resource, { errorOnUnexpected: true });
    console.log(JSON.stringify({ index, valid: result.valid, messages: result.messages }));
  });
});

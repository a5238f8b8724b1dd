// Runs one Auth0 post-login Action the way Auth0 calls it: `node action_runner.js`, with
// {"code": <the Action's source>, "event": <the post-login event>} as JSON on stdin.
// Prints {"id_token": {claims}, "access_token": {claims}, "denied": null | reason} as JSON; an Action
// that throws (or rejects) prints {"error": <its message>} and exits 1, which fails the login.
"use strict";
const fs = require("fs");

const { code, event } = JSON.parse(fs.readFileSync(0, "utf8"));
const result = { id_token: {}, access_token: {}, denied: null };
const api = {
  idToken: { setCustomClaim: (name, value) => { result.id_token[name] = value; } },
  accessToken: { setCustomClaim: (name, value) => { result.access_token[name] = value; } },
  access: { deny: (reason) => { result.denied = String(reason); } },
};

function fail(error) {
  const message = error instanceof Error ? error.message : String(error);
  process.stdout.write(JSON.stringify({ error: message }));
  process.exitCode = 1;
}

try {
  const module_ = { exports: {} };
  new Function("exports", "module", "require", code)(module_.exports, module_, require);
  Promise.resolve(module_.exports.onExecutePostLogin(event, api)).then(
    () => process.stdout.write(JSON.stringify(result)),
    fail,
  );
} catch (error) {
  fail(error);
}

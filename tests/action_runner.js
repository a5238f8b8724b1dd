// Runs an Auth0 post-login Action the way Auth0 does: `node action_runner.js <code file>`,
// with the event as JSON on stdin. Prints the ID-token claims the Action set, as JSON.
"use strict";
const fs = require("fs");

const code = fs.readFileSync(process.argv[2], "utf8");
const event = JSON.parse(fs.readFileSync(0, "utf8"));
const module_ = { exports: {} };
new Function("exports", "module", "require", code)(module_.exports, module_, require);

const claims = {};
const api = {
  idToken: { setCustomClaim: (name, value) => { claims[name] = value; } },
  accessToken: { setCustomClaim: () => { throw new Error("the access token must stay untouched"); } },
  access: { deny: () => { throw new Error("the Action must never deny a login"); } },
};
module_.exports.onExecutePostLogin(event, api).then(() => process.stdout.write(JSON.stringify(claims)));

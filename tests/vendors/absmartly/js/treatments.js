// ABsmartly's JavaScript SDK (npm @absmartly/javascript-sdk, from the project's package.json)
// against the mock. Reads a JSON request on stdin:
//   {endpoint, apiKey, application, environment, unitTypes: [type...], units: [uid...], experiments: [name...],
//    publish: {goal, properties} (optional: each unit tracks the goal and publishes)}
// and prints, for each unit (which has every unit type, with the same id), the treatment of each
// experiment: [[v, v, ...], ...].
// The context data is fetched once (getContextData) and each unit's context made from it.
const { SDK } = require("@absmartly/javascript-sdk");

async function main() {
  const input = JSON.parse(require("fs").readFileSync(0, "utf8"));
  const sdk = new SDK({ endpoint: input.endpoint, apiKey: input.apiKey, application: input.application,
                        environment: input.environment, retries: 0, timeout: 10000 });
  const data = await sdk.getContextData();
  const out = [];
  for (const uid of input.units) {
    const units = Object.fromEntries(input.unitTypes.map((type) => [type, uid]));
    const context = sdk.createContextWith({ units }, data, { publishDelay: -1 });
    out.push(input.experiments.map((name) => context.treatment(name)));
    if (input.publish) {
      context.track(input.publish.goal, input.publish.properties);
      await context.publish();
    }
  }
  process.stdout.write(JSON.stringify(out));
}

main().catch((error) => { console.error(error); process.exit(1); });

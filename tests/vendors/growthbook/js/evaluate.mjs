// Evaluates GrowthBook features with GrowthBook's JavaScript SDK against a features endpoint.
// Reads from stdin {"apiHost": ..., "clientKey": ..., "cases": [{"feature": ..., "attributes": {...}}]}
// and prints to stdout [{"feature": ..., "value": ..., "on": ..., "source": ...}], one per case.
import { GrowthBook } from "@growthbook/growthbook";

async function readStdin() {
  let text = "";
  for await (const chunk of process.stdin) text += chunk;
  return JSON.parse(text);
}

async function evaluate({ apiHost, clientKey, cases }) {
  const gb = new GrowthBook({ apiHost, clientKey });
  const loaded = await gb.init({ timeout: 5000, skipCache: true, streaming: false });
  if (!loaded.success) throw new Error(`the SDK did not load the payload: ${loaded.source} ${loaded.error}`);
  const results = [];
  for (const { feature, attributes } of cases) {
    await gb.setAttributes(attributes);
    const result = gb.evalFeature(feature);
    results.push({ feature, value: result.value, on: result.on, source: result.source });
  }
  gb.destroy();
  return results;
}

process.stdout.write(JSON.stringify(await evaluate(await readStdin())) + "\n");

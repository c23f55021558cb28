// LaunchDarkly's official Node.js server-side SDK (npm @launchdarkly/node-server-sdk, installed
// by the project's package.json), pointed at the mock. Reads from stdin
// {url, sdkKey, stream, cases: [{flag, context, default}], track?: {key, context, value},
// until?: {flag, context, inExperiment}}, writes to stdout a line [{value, reason}] for the
// cases, evaluated once the client is initialized; with `until`, the same client then waits
// until the flag's reason for the context has that `inExperiment` and writes a line {seen: true}.
import { basicLogger, init } from '@launchdarkly/node-server-sdk';

const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const input = JSON.parse(Buffer.concat(chunks).toString('utf8'));

const client = init(input.sdkKey, {
  baseUri: input.url,
  streamUri: input.url,
  eventsUri: input.url,
  stream: input.stream,
  sendEvents: Boolean(input.track),
  diagnosticOptOut: true,
  logger: basicLogger({ level: 'warn', destination: (line) => process.stderr.write(`${line}\n`) }),
});
try {
  await client.waitForInitialization({ timeout: 10 });
  const results = [];
  for (const c of input.cases) {
    const detail = await client.variationDetail(c.flag, c.context, c.default);
    results.push({ value: detail.value, reason: detail.reason });
  }
  if (input.track) {
    client.track(input.track.key, input.track.context, undefined, input.track.value);
    await client.flush();
  }
  process.stdout.write(`${JSON.stringify(results)}\n`);
  if (input.until) {
    const { flag, context, inExperiment } = input.until;
    const deadline = Date.now() + 10000;
    let seen = false;
    while (!seen && Date.now() < deadline) {
      const detail = await client.variationDetail(flag, context, null);
      seen = Boolean(detail.reason.inExperiment) === inExperiment;
      if (!seen) await new Promise((resolve) => setTimeout(resolve, 20));
    }
    process.stdout.write(`${JSON.stringify({ seen })}\n`);
  }
} finally {
  client.close();
}

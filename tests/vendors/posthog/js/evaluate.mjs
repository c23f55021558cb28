// PostHog's official Node.js SDK (npm `posthog-node`, installed by the project's package.json)
// against the mock. Reads {host, token, secret, flag, ids, event} on stdin; writes
// {remote, local} (the flag's value for each distinct id, asked of the server and evaluated
// from the polled definitions) on stdout, after capturing `event` and flushing.
import { PostHog } from 'posthog-node'

const chunks = []
for await (const chunk of process.stdin) chunks.push(chunk)
const { host, token, secret, flag, ids, event } = JSON.parse(Buffer.concat(chunks).toString())

const remoteClient = new PostHog(token, { host, flushAt: 1000, flushInterval: 0 })
const localClient = new PostHog(token, { host, personalApiKey: secret, featureFlagsPollingInterval: 60000 })
await localClient.waitForLocalEvaluationReady(10000)

const remote = []
const local = []
for (const id of ids) {
  remote.push((await remoteClient.getFeatureFlag(flag, id, { sendFeatureFlagEvents: false })) ?? null)
  local.push((await localClient.getFeatureFlag(flag, id, { onlyEvaluateLocally: true, sendFeatureFlagEvents: false })) ?? null)
}
remoteClient.capture({ distinctId: event.distinct_id, event: event.name })
await remoteClient.flush()
await remoteClient.shutdown()
await localClient.shutdown()
process.stdout.write(JSON.stringify({ remote, local }))

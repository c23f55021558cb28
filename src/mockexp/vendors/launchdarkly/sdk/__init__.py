"""LaunchDarkly's SDK side over HTTP: the stream of server-sent events SDKs hold open
(`GET /all`), and the polling answer with its ETag. What they carry is the model's read model
(`models/sdk.py`); this package only puts it on the wire."""

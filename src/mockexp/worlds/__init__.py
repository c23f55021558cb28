"""A user's own demo data: world files loaded by `serve --fixtures`, written by `mockexp export`."""

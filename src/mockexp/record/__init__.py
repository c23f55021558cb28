"""`mockexp record`: the proxy, capturing the writes it sees as a fixture world."""

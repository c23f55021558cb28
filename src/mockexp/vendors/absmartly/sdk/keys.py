"""SDK keys: one per account and environment, sent as `X-API-Key`; the environments they are
for; and the demo credentials they make."""

from __future__ import annotations

from typing import Mapping

from mockexp.errors import Forbidden, Invalid, Unauthorized
from mockexp.vendor import Credential
from mockexp.vendors.absmartly.models.common import ACCOUNTS, APPLICATIONS
from mockexp.vendors.absmartly.models.world import World
from mockexp.vendors.absmartly.sdk.common import ENVIRONMENTS, KEY_HEADER, SDK_KEYS


class SdkKeys(World):
    def add_environment(self, account: str, name: str, type: str) -> dict:
        return self.add(account, ENVIRONMENTS, {"name": name, "type": type})

    def add_sdk_key(self, value: str, account: str, environment: str) -> dict:
        return self.store.insert(SDK_KEYS, value, {"value": value, "account": account, "environment": environment})

    def sdk_key(self, value: str | None) -> dict:
        """The SDK key record of `value`, or 401."""
        key = self.store.get(SDK_KEYS, value) if value else None
        if key is None:
            raise Unauthorized("Invalid API key.")
        return key

    def reading_account(self, value: str | None, environment: str) -> str:
        """Whose context a read gets: the key's account (a key for another environment is
        403), or without a key the demo account (the first one)."""
        if value is None:
            return self.store.view(ACCOUNTS, limit=1)[0]["id"]
        key = self.sdk_key(value)
        self.check_environment(key, environment)
        return key["account"]

    @staticmethod
    def check_environment(key: Mapping, environment: str) -> None:
        if key["environment"] != environment:
            raise Forbidden(f"This API key is for the {key['environment']} environment, not {environment}.")

    def environment(self, account: str, name: str) -> dict:
        """The account's environment of that name, or 400."""
        found = self.account(account).view(ENVIRONMENTS, {"name": name}, limit=1)
        if not found:
            raise Invalid.field("environment", f"Environment {name!r} not found.")
        return found[0]

    def application(self, account: str, name: str) -> dict:
        """The account's application of that name, or 400."""
        found = self.account(account).view(APPLICATIONS, {"name": name}, limit=1)
        if not found:
            raise Invalid.field("application", f"Application {name!r} not found.")
        return found[0]

    def sdk_credentials(self) -> list[Credential]:
        accounts = {account["id"]: (index, account) for index, account in enumerate(self.store.view(ACCOUNTS))}
        keys = sorted(self.store.query(SDK_KEYS), key=lambda k: accounts[k["account"]][0])  # as added, each account's together
        return [self._sdk_credential(key, accounts[key["account"]][1]) for key in keys]

    def _sdk_credential(self, key: Mapping, account: Mapping) -> Credential:
        applications = ", ".join(app["name"] for app in self.account(key["account"]).view(APPLICATIONS, order_by=lambda a: a["id"]))
        note = (f"account {account['id']} ({account['name']}), environment {key['environment']}, applications {applications}: "
                "the SDKs' key for the Collector API (GET/POST/PUT /v1/context)")
        return Credential(vendor="absmartly", header=KEY_HEADER, value=key["value"], user="SDK", role=f"SDK key ({key['environment']})",
                          permissions=("SDK",), can_write=False, tenant={}, note=note)

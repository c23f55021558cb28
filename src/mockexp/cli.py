"""`mockexp serve | specs | contract | export | proxy | drift | record`."""

from __future__ import annotations

import argparse
import sys
import warnings

from mockexp import STARLETTE_TESTCLIENT_WARNING, __version__


def main(argv: list[str] | None = None) -> int:
    warnings.filterwarnings("ignore", message=STARLETTE_TESTCLIENT_WARNING)  # this process is mockexp's own
    parser = argparse.ArgumentParser(prog="mockexp", description="A stateful fake of experimentation platforms' APIs.")
    parser.add_argument("--version", action="version", version=f"mockexp {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)

    from mockexp import serve as serving

    serving.add_arguments(commands.add_parser("serve", help="start the mock server"))

    commands.add_parser("specs", help="list the specs with their operation counts, and validate them")

    from mockexp.contract import command as contract

    contract.add_arguments(commands.add_parser("contract", help="check an implementation against a vendor's spec (Schemathesis + domain checks)"))

    from mockexp.worlds import command as worlds

    worlds.add_arguments(commands.add_parser("export", help="write a running mock's state of one vendor as a world file (for serve --fixtures)"))

    from mockexp.drift import command as drift
    from mockexp.proxy import command as proxy
    from mockexp.record import command as record

    real_apis = {  # the commands that work with a real vendor's API
        "proxy": (proxy, "forward a client's requests to a real API, checking them and the answers against the vendor's spec"),
        "drift": (drift, "run the same create-read-update-list-delete sequence against a real API and a fresh mock, and report where they differ"),
        "record": (record, "the proxy, writing the writes it sees as a fixture world for serve --fixtures"),
    }
    for name, (module, about) in real_apis.items():
        module.add_arguments(commands.add_parser(name, help=about))

    args = parser.parse_args(argv)
    if args.command in real_apis:
        return real_apis[args.command][0].main(args)
    if args.command == "serve":
        return serving.main(args)
    if args.command == "contract":
        return contract.main(args)
    if args.command == "export":
        return worlds.main(args)
    return specs_command()


def specs_command() -> int:
    """List and validate every spec, and check that each vendor implements all of its spec."""
    from mockexp import admin, binding, specs
    from mockexp.vendors import ALL

    failed = False
    for name, file_name in [(vendor.name, file) for vendor in ALL.values() for file in vendor.specs] + [("admin", admin.SPEC)]:
        try:
            spec = specs.load_named(file_name)
        except specs.SpecError as exc:
            print(f"{name:12} INVALID  {exc}", file=sys.stderr)
            failed = True
            continue
        problems = binding.problems(ALL[name], spec) if name in ALL else []
        for problem in problems:
            print(f"{name:12} INVALID  {problem}", file=sys.stderr)
        failed = failed or bool(problems)
        print(f"{name:12} {len(spec.operations):3} operations  {spec.base_path or '/':14} {spec.path}  ({spec.title})")
    if failed:
        return 1
    print("all specs valid, every operation implemented")
    return 0

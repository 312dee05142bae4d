"""docs/contract.md's generated parts: where the code is the truth (settings, the default
policy, notice kinds, topics and events, endpoints, commands, problem kinds), the contract's
tables are written from it. `python -m devtools.contractdocs` rewrites them; `--check` fails
naming each stale part."""

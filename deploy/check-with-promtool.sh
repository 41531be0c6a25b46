#!/usr/bin/env bash
# Optional extra check (not part of the test suite): Prometheus's own parser on every PromQL expression of the
# alert rules, the PrometheusRule and the dashboards, and on prometheus.yml. Needs promtool (Debian/Ubuntu:
# `apt-get install prometheus`) and python3 with PyYAML.
#
# Dashboard queries are wrapped as recording rules, with Grafana's variables replaced by sample values
# ($job -> .*, $__rate_interval -> 1m, $__range -> 1h), so that `promtool check rules` parses them.
set -euo pipefail
cd "$(dirname "$0")"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

promtool check rules prometheus/alerts.yml
promtool test rules prometheus/alerts.test.yml

python3 - "$work" <<'PY'
import json, pathlib, re, sys, yaml
work = pathlib.Path(sys.argv[1])
spec = yaml.safe_load(open("k8s/base/prometheusrule.yaml"))["spec"]
(work / "prometheusrule.yml").write_text(yaml.safe_dump(spec))
rules = []
for path in sorted(pathlib.Path("grafana/dashboards").glob("*.json")):
    def walk(node):
        if isinstance(node, dict):
            if isinstance(node.get("expr"), str):
                yield node["expr"]
            for value in node.values():
                yield from walk(value)
        elif isinstance(node, list):
            for value in node:
                yield from walk(value)
    for i, expr in enumerate(walk(json.load(open(path))["panels"])):
        expr = re.sub(r"\$__rate_interval|\$__interval", "1m", expr).replace("$__range", "1h")
        expr = re.sub(r"\$\{?job\}?", ".*", expr)
        rules.append({"record": f"dashboard:{path.stem.replace('-', '_')}:{i}", "expr": expr})
(work / "dashboards.yml").write_text(yaml.safe_dump({"groups": [{"name": "dashboards", "rules": rules}]}))
print(f"{len(rules)} dashboard queries")
PY
promtool check rules "$work/prometheusrule.yml" "$work/dashboards.yml"

# prometheus.yml names its rule file by its path inside the container.
sed "s#/etc/prometheus/alerts.yml#$PWD/prometheus/alerts.yml#" prometheus/prometheus.yml > "$work/prometheus.yml"
promtool check config "$work/prometheus.yml"

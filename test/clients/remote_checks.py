"""FlyteRemote (flytekit) against our server: one check per subcommand, a JSON line on stdout.

Run by remote.client.ts: `python remote_checks.py <check> [args...]` with FLYTECTL_CONFIG naming the
Flyte config file. Each check calls the public FlyteRemote API a user would and prints what it saw, so
the TypeScript side asserts on it (and on the server's state).
"""

import json
import sys
from datetime import datetime, timedelta, timezone

from flytekit.configuration import Config
from flytekit.models.core.identifier import Identifier, ResourceType
from flytekit.remote import FlyteRemote

PROJECT, DOMAIN = "flytesnacks", "development"


def prim(literal):
    """A primitive literal's Python value."""
    return literal.scalar.primitive.value


def remote() -> FlyteRemote:
    return FlyteRemote(Config.auto(), default_project=PROJECT, default_domain=DOMAIN)


def fetch(version: str):
    r = remote()
    kw = {"version": version} if version != "latest" else {}
    task = r.fetch_task(name="app.flows.add", **kw)
    wf = r.fetch_workflow(name="app.flows.chain", **kw)
    lp = r.fetch_launch_plan(name="app.flows.chain", **kw)
    return {
        "task": {"version": task.id.version, "inputs": sorted(task.interface.inputs), "type": task.type},
        "workflow": {"version": wf.id.version, "nodes": sorted(n.id for n in wf.flyte_nodes), "outputs": sorted(wf.interface.outputs)},
        "launch_plan": {"version": lp.id.version, "workflow": lp.workflow_id.name, "defaults": sorted(lp.default_inputs.parameters)},
    }


def execute(name: str, a: str):
    r = remote()
    lp = r.fetch_launch_plan(name="app.flows.chain")
    ex = r.execute(lp, inputs={"a": int(a)}, execution_name=name)
    return {"name": ex.id.name, "phase": ex.closure.phase, "is_done": ex.is_done}


def wait(name: str):
    r = remote()
    ex = r.fetch_execution(name=name)
    ex = r.wait(ex, timeout=timedelta(seconds=120), poll_interval=timedelta(seconds=1))
    return {"phase": ex.closure.phase, "is_successful": ex.is_successful, "outputs": {"o0": ex.outputs.get("o0", as_type=int), "o1": ex.outputs.get("o1", as_type=str)}}


def sync(name: str):
    r = remote()
    ex = r.sync(r.fetch_execution(name=name), sync_nodes=True)
    nodes = {}
    for node_id, ne in ex.node_executions.items():
        nodes[node_id] = {
            "phase": ne.closure.phase,
            "tasks": [{"phase": t.closure.phase, "retry": t.id.retry_attempt, "task": t.id.task_id.name} for t in ne.task_executions],
        }
        if node_id not in ("start-node", "end-node"):
            nodes[node_id]["inputs"] = {k: prim(v) for k, v in ne.inputs.literals.items()}
            nodes[node_id]["outputs"] = {k: prim(v) for k, v in ne.outputs.literals.items()}
    return {"phase": ex.closure.phase, "inputs": {"a": ex.inputs.get("a", as_type=int), "name": ex.inputs.get("name", as_type=str)}, "nodes": nodes}


def terminate(name: str):
    r = remote()
    ex = r.fetch_execution(name=name)
    r.terminate(ex, cause="stopped from FlyteRemote")
    ex = r.wait(ex, timeout=timedelta(seconds=60), poll_interval=timedelta(seconds=1))
    return {"phase": ex.closure.phase, "abort": ex.closure.abort_metadata.cause if ex.closure.abort_metadata else None}


def recent():
    r = remote()
    return {"names": [e.id.name for e in r.recent_executions(limit=100)]}


def get(uri: str):
    r = remote()
    v = r.get(uri)
    # A LiteralsResolver for a node's inputs or outputs; a single literal for a named variable.
    if v is None:
        return {"kind": None}
    if hasattr(v, "literals"):
        return {"kind": "map", "values": {k: prim(x) for k, x in v.literals.items()}}
    return {"kind": "literal", "value": prim(v)}


def activation(name: str, version: str, state: str):
    r = remote()
    ident = Identifier(ResourceType.LAUNCH_PLAN, PROJECT, DOMAIN, name, version)
    if state == "on":
        r.activate_launchplan(ident)
    else:
        r.deactivate_launchplan(ident)
    active = r.fetch_active_launchplan(name=name)
    return {"active_version": active.id.version if active else None}


def listing():
    r = remote()
    return {"projects": sorted(p.id for p in r.list_projects()), "domains": sorted(d.id for d in r.get_domains())}


def backfill():
    r = remote()
    start = datetime(2026, 11, 1, 0, 0, tzinfo=timezone.utc)
    end = start + timedelta(minutes=20)
    ex = r.launch_backfill(PROJECT, DOMAIN, start, end, "scheduled_cron", version="v1", execute=True, parallel=True)
    return {"execution": ex.id.name}


def metrics(name: str):
    r = remote()
    ex = r.fetch_execution(name=name)
    span = r.get_execution_metrics(id=ex.id, depth=5)
    root = span.to_flyte_idl()
    return {"operation": root.workflow_id.name, "children": len(root.spans)}


CHECKS = {f.__name__: f for f in (fetch, execute, wait, sync, terminate, recent, get, activation, listing, backfill, metrics)}

if __name__ == "__main__":
    check, args = sys.argv[1], sys.argv[2:]
    print(json.dumps(CHECKS[check](*args), default=str))

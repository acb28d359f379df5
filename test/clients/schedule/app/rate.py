# A new user's scheduled workflow: one task, one workflow, a launch plan that runs it every minute.
from datetime import timedelta

from flytekit import FixedRate, LaunchPlan, task, workflow


@task
def hello(name: str) -> str:
    return f"hello {name}"


@workflow
def tick(name: str = "schedule") -> str:
    return hello(name=name)


every_minute = LaunchPlan.get_or_create(tick, name="every_minute", schedule=FixedRate(duration=timedelta(minutes=1)))

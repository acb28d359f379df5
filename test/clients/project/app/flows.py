from dataclasses import dataclass
from datetime import datetime
from typing import List, Tuple

from flytekit import CronSchedule, LaunchPlan, dynamic, map_task, task, workflow, conditional
from flytekit.types.file import FlyteFile


@dataclass
class Point:
    x: int
    y: int


@task
def add(a: int, b: int = 2) -> int:
    return a + b


@task
def norm(p: Point, scale: float = 1.0) -> float:
    return (p.x * p.x + p.y * p.y) ** 0.5 * scale


@task
def total(xs: List[int]) -> int:
    return sum(xs)


@task
def size_of(f: FlyteFile) -> int:
    with open(f) as fh:
        return len(fh.read())


@task
def square(x: int) -> int:
    return x * x


@task
def greet(name: str = "world") -> str:
    return f"hello {name}"


@dynamic
def fan(n: int) -> List[int]:
    return [square(x=i) for i in range(n)]


@workflow
def inner(a: int) -> int:
    return add(a=a)


@workflow
def main(a: int = 3, xs: List[int] = [1, 2, 3], p: Point = Point(x=3, y=4)) -> int:
    s = inner(a=a)
    squares = map_task(square)(x=xs)
    t = total(xs=squares)
    n = norm(p=p)
    f = fan(n=a)
    r = conditional("big").if_(s > 10).then(add(a=s, b=t)).else_().then(add(a=t, b=s))
    return r


@workflow
def chain(a: int, name: str = "flyte") -> Tuple[int, str]:
    x = add(a=a)
    y = add(a=x, b=a)
    return y, greet(name=name)


@workflow
def scheduled(kickoff: datetime, name: str = "cron") -> str:
    return greet(name=name)


fixed_lp = LaunchPlan.get_or_create(main, name="main_fixed", fixed_inputs={"a": 7}, default_inputs={"xs": [4, 5]})
cron_lp = LaunchPlan.get_or_create(
    scheduled, name="scheduled_cron", schedule=CronSchedule(schedule="*/5 * * * *", kickoff_time_input_arg="kickoff")
)

"""The load test's users (locust): each request is a GET of a staff page picked by weight
from the plan that `rusmiddel bench` writes, with the logged-in session of the page's role.
Anything but a 200 (a redirect to the log-in page too) counts as a failure."""

from __future__ import annotations

import json
import os
import random

from locust import FastHttpUser, between, task

with open(os.environ["RUSMIDDEL_BENCH_PLAN"], encoding="utf-8") as f:
    PLAN = json.load(f)  # [{"name", "path", "cookie", "weight"}]
WEIGHTS = [p["weight"] for p in PLAN]


class Staff(FastHttpUser):
    wait_time = between(0.5, 1.5)  # a busy member of staff: about a page a second

    @task
    def page(self) -> None:
        p = random.choices(PLAN, weights=WEIGHTS)[0]
        with self.client.get(
            p["path"],
            name=p["name"],
            headers={"Cookie": p["cookie"]},
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code != 200:
                response.failure(f"status {response.status_code}")

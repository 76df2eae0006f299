#!/usr/bin/env python3
"""Where a build's step loop spends its time, from the Temporal history of its workflow. Steps are scheduled ahead of
the one running and the host holds each until the one before it has ended there, so per step this reports:

- the cycle: from the previous step's completion to this one's, as the server recorded them;
- the exec: the command's own time on the host, from create to exit code (the step's result, elapsedMs);
- the lead: how long before the previous step's completion this step was already on the host (started); a step
  that arrived after it would show a negative lead, and the round trip through Temporal would be back in the cycle.

    step_phases.py WORKFLOW_ID     (uses the temporal CLI on the PATH, as build-overhead.sh does)
"""
import base64
import json
import statistics
import subprocess
import sys
from datetime import datetime

wid = sys.argv[1]
out = subprocess.run(["temporal", "workflow", "show", "-w", wid, "-o", "json"], capture_output=True, text=True,
                     check=True).stdout
events = json.loads(out)["events"]


def t(e):
    s = e["eventTime"].rstrip("Z")
    if "." in s:
        a, b = s.split(".")
        s = a + "." + (b + "000000")[:6]
    return datetime.fromisoformat(s)


def ms(a, b):
    return (a - b).total_seconds() * 1000


byid = {int(e["eventId"]): e for e in events}
steps = []
for e in events:
    if e["eventType"] != "EVENT_TYPE_ACTIVITY_TASK_COMPLETED":
        continue
    a = e["activityTaskCompletedEventAttributes"]
    sched = byid[int(a["scheduledEventId"])]
    if sched["activityTaskScheduledEventAttributes"]["activityType"]["name"] != "RunStep":
        continue
    result = json.loads(base64.b64decode(a["result"]["payloads"][0]["data"]))
    steps.append((byid[int(a["startedEventId"])], e, result["elapsedMs"]))
phases = {"cycle (completion to completion)": [], "exec on the host": [], "cycle minus exec": [],
          "lead (on the host before its turn)": []}
for (_, previous, _), (started, done, elapsed) in zip(steps, steps[1:]):
    cycle = ms(t(done), t(previous))
    phases["cycle (completion to completion)"].append(cycle)
    phases["exec on the host"].append(elapsed)
    phases["cycle minus exec"].append(cycle - elapsed)
    phases["lead (on the host before its turn)"].append(ms(t(previous), t(started)))
for k, v in phases.items():
    if v:
        print(f"{k:36s} median {statistics.median(v):7.1f} ms  mean {statistics.mean(v):7.1f} ms  n={len(v)}")

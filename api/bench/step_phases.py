#!/usr/bin/env python3
"""Where a build's step loop spends its time, from the Temporal history of its workflow: for each RunStep activity,
the wait for the host to pick it up, the host's run, the wait for the workflow task that follows, that task (which
records the step's end and the next one's start as a local activity), and the gap to the next step's schedule.

    step_phases.py WORKFLOW_ID     (uses the temporal CLI on the PATH, as build-overhead.sh does)
"""
import json
import statistics
import subprocess
import sys
from datetime import datetime

wid = sys.argv[1]
out = subprocess.run(["temporal", "workflow", "show", "-w", wid, "-o", "json"], capture_output=True, text=True, check=True).stdout
events = json.loads(out)["events"]
def t(e):
    s = e["eventTime"]; s = s.rstrip("Z")
    if "." in s:
        a, b = s.split("."); s = a + "." + (b + "000000")[:6]
    return datetime.fromisoformat(s)
byid = {int(e["eventId"]): e for e in events}
phases = {"sched->start (host pickup)": [], "start->complete (host run)": [], "complete->wft start": [], "wft start->complete (LA record)": [], "wft complete->next sched": []}
rows = []
for e in events:
    if e["eventType"] == "EVENT_TYPE_ACTIVITY_TASK_COMPLETED":
        a = e["activityTaskCompletedEventAttributes"]
        sched = byid[int(a["scheduledEventId"])]; start = byid[int(a["startedEventId"])]
        if sched["activityTaskScheduledEventAttributes"]["activityType"]["name"] != "RunStep": continue
        rows.append((sched, start, e))
for sched, start, done in rows:
    phases["sched->start (host pickup)"].append((t(start) - t(sched)).total_seconds() * 1000)
    phases["start->complete (host run)"].append((t(done) - t(start)).total_seconds() * 1000)
    i = int(done["eventId"])
    nxt = [e for e in events if int(e["eventId"]) > i]
    ws = next((e for e in nxt if e["eventType"] == "EVENT_TYPE_WORKFLOW_TASK_STARTED"), None)
    wc = next((e for e in nxt if e["eventType"] == "EVENT_TYPE_WORKFLOW_TASK_COMPLETED"), None)
    ns = next((e for e in nxt if e["eventType"] == "EVENT_TYPE_ACTIVITY_TASK_SCHEDULED"), None)
    if ws and wc and ns:
        phases["complete->wft start"].append((t(ws) - t(done)).total_seconds() * 1000)
        phases["wft start->complete (LA record)"].append((t(wc) - t(ws)).total_seconds() * 1000)
        phases["wft complete->next sched"].append((t(ns) - t(wc)).total_seconds() * 1000)
for k, v in phases.items():
    if v: print(f"{k:36s} median {statistics.median(v):7.1f} ms  mean {statistics.mean(v):7.1f} ms  n={len(v)}")

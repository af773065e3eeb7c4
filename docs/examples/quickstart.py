#!/usr/bin/env python3
"""The whole loop from Python, standard library only: ingest, train, wait, promote, predict.

Run it against `npm start` (or any deployment):

    python3 docs/examples/quickstart.py

Settings, as the `mlops` CLI reads them:
    REGISTRY_URL   default http://127.0.0.1:7600
    SERVING_URL    default http://127.0.0.1:7601
    MLOPS_TOKEN    default: the file `admin-token` in MLOPS_DATA_DIR (default .mlops), which
                   `npm start` writes. The token needs the scopes write, promote and predict.
    IRIS_CSV       default scripts/demo/data/iris.csv (relative to the repository root)

Every call is plain HTTP + JSON: the registry's REST API is described at $REGISTRY_URL/docs
(OpenAPI 3.1 at $REGISTRY_URL/openapi.json), serving speaks TF Serving REST.
"""

import csv
import json
import os
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
REGISTRY = os.environ.get("REGISTRY_URL", "http://127.0.0.1:7600").rstrip("/")
SERVING = os.environ.get("SERVING_URL", "http://127.0.0.1:7601").rstrip("/")
IRIS = Path(os.environ.get("IRIS_CSV", REPO / "scripts/demo/data/iris.csv"))
MODEL = "iris"


def token() -> str:
    if os.environ.get("MLOPS_TOKEN"):
        return os.environ["MLOPS_TOKEN"]
    path = Path(os.environ.get("MLOPS_DATA_DIR", ".mlops")) / "admin-token"
    return path.read_text().strip()


TOKEN = token()


def call(method: str, url: str, body=None, content_type="application/json"):
    """One request; the JSON answer, or SystemExit with the API's error (code, message, fields)."""
    data = None
    headers = {"authorization": f"Bearer {TOKEN}", "accept": "application/json"}
    if body is not None:
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        headers["content-type"] = content_type
    request = urllib.request.Request(url, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.load(response)
    except urllib.error.HTTPError as err:
        # Errors are {"error": {"code", "message", "details": [{"path", "message"}]}}.
        raise SystemExit(f"{method} {url} answered {err.code}: {err.read().decode()}") from None


def wait_for(what: str, check, timeout_s: float = 300, every_s: float = 0.5):
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        value = check()
        if value is not None:
            return value
        time.sleep(every_s)
    raise SystemExit(f"timed out waiting for {what}")


# 1. Ingest: the CSV as is; the registry infers the schema and stores a profile.
dataset = call("POST", f"{REGISTRY}/api/datasets/{MODEL}?format=csv", IRIS.read_bytes(), "text/csv")
print(f"dataset {dataset['name']} v{dataset['version']} ({dataset['rowCount']} rows)")

# 2. Train: a run on the BullMQ queue, picked up by the trainer.
run = call(
    "POST",
    f"{REGISTRY}/api/v1/runs",
    {
        "modelName": MODEL,
        "dataset": {"name": dataset["name"], "version": dataset["version"]},
        "task": "classification",
        "target": "species",
        "preset": "mlp-small",
        "hyperparameters": {"epochs": 100, "batchSize": 16, "learningRate": 0.01},
        "seed": 42,
    },
)
print(f"run {run['id']} queued")


# 3. Wait for the run: it registers a model version when it completes.
def finished():
    current = call("GET", f"{REGISTRY}/api/v1/runs/{run['id']}")
    return current if current["status"] in ("completed", "failed", "cancelled") else None


run = wait_for(f"run {run['id']}", finished)
if run["status"] != "completed":
    raise SystemExit(f"run {run['id']} ended {run['status']}: {run.get('error')}")
version = run["modelVersion"]
print(f"run completed: {MODEL} v{version}, accuracy {run['metrics'].get('accuracy')}")

# 4. Promote: moving the alias is the deployment (the promotion gate runs if a policy is set).
call("PUT", f"{REGISTRY}/api/v1/models/{MODEL}/aliases/champion", {"version": version, "reason": "quick start"})
print(f"champion -> v{version}")


# 5. Wait for serving to load it (it follows the alias by itself).
def loaded():
    try:
        status = call("GET", f"{SERVING}/v1/models/{MODEL}")
    except SystemExit:
        return None  # not loaded yet: 404 until the first version is
    states = status.get("model_version_status", [])
    return True if any(s["version"] == str(version) and s["state"] == "AVAILABLE" for s in states) else None


wait_for(f"serving to load v{version}", loaded)
print(f"serving {MODEL} v{version}")

# 6. Predict a few rows: raw feature values, the preprocessing travels with the model.
with IRIS.open(newline="") as f:
    rows = list(csv.DictReader(f))
picked = [rows[i] for i in (0, 64, 100)]
instances = [{k: float(v) for k, v in row.items() if k != "species"} for row in picked]
answer = call("POST", f"{SERVING}/v1/models/{MODEL}:predict?format=platform", {"instances": instances})
for row, prediction in zip(picked, answer["predictions"]):
    label = prediction["label"]
    print(f"predicted {label} ({prediction['probabilities'][label]:.2f}) for a {row['species']}")
sys.exit(0)

#!/usr/bin/python3
"""The serving benchmark's reference: a prediction server as tutorials write one, Flask + scikit-learn.

It trains a DecisionTreeClassifier (max depth 10, like the benchmark's mlship model) on every row of
a CSV file at start, and serves the same route and body as `mlship serve`:

  POST /v1/models/<name>:predict  {"instances": [{"feature": value, ...}, ...]}  ->  {"predictions": [label, ...]}

Run it under gunicorn (Debian: python3-flask python3-sklearn gunicorn), as bench/serving.ts does:

  DATA=models/iris/iris.csv TARGET=species MODEL=iris \\
    gunicorn -w 2 -b 127.0.0.1:8500 --chdir bench/reference flask_sklearn_server:app
"""
import csv
import os

import numpy as np
from flask import Flask, jsonify, request
from sklearn.tree import DecisionTreeClassifier

DATA = os.environ.get("DATA", "models/iris/iris.csv")
TARGET = os.environ.get("TARGET", "species")
MODEL = os.environ.get("MODEL", "iris")
MAX_DEPTH = int(os.environ.get("MAX_DEPTH", "10"))

with open(DATA, newline="") as f:
    rows = list(csv.DictReader(f))
features = [c for c in rows[0] if c != TARGET]
classes = sorted({r[TARGET] for r in rows})
tree = DecisionTreeClassifier(max_depth=MAX_DEPTH, random_state=0).fit(
    np.array([[float(r[c]) for c in features] for r in rows]),
    np.array([classes.index(r[TARGET]) for r in rows]),
)

app = Flask(__name__)


@app.post(f"/v1/models/{MODEL}:predict")
def predict():
    body = request.get_json(force=True, silent=True)
    if not isinstance(body, dict) or not isinstance(body.get("instances"), list):
        return jsonify(error='expected {"instances": [...]}'), 400
    try:
        x = np.array([[float(i[c]) for c in features] for i in body["instances"]])
    except (KeyError, TypeError, ValueError) as e:
        return jsonify(error=f"bad instance: {e}"), 400
    return jsonify(predictions=[classes[k] for k in tree.predict(x)])

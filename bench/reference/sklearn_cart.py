#!/usr/bin/python3
"""Reference trainer for the training benchmark and the accuracy parity test: scikit-learn's CART.

usage: sklearn_cart.py TRAIN.csv TARGET [--holdout HOLDOUT.csv] [--task classification|regression]
                       [--max-depth N] [--min-samples-split N] [--test-fraction F] [--seed S]

Fits DecisionTreeClassifier (or DecisionTreeRegressor) on TRAIN.csv and scores it on HOLDOUT.csv,
or, without one, on a seeded random share of TRAIN.csv. Numeric features only; a classification
target may be text. Prints one JSON line: rows, holdoutRows, features, trainMs (fit only),
predictMs, and accuracy (classification) or rmse (regression). Debian: python3-sklearn.
"""
import argparse
import csv
import json
import time

import numpy as np
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor


def read_rows(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("train")
    parser.add_argument("target")
    parser.add_argument("--holdout")
    parser.add_argument("--task", choices=["classification", "regression"], default="classification")
    parser.add_argument("--max-depth", type=int, default=10)
    parser.add_argument("--min-samples-split", type=int, default=3)
    parser.add_argument("--test-fraction", type=float, default=0.2)
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args()

    train_rows = read_rows(args.train)
    holdout_rows = read_rows(args.holdout) if args.holdout else []
    rows = train_rows + holdout_rows
    features = [name for name in rows[0] if name != args.target]
    x = np.array([[float(r[name]) for name in features] for r in rows])

    classify = args.task == "classification"
    if classify:
        classes = sorted({r[args.target] for r in rows})
        index = {c: i for i, c in enumerate(classes)}
        y = np.array([index[r[args.target]] for r in rows])
        tree = DecisionTreeClassifier(max_depth=args.max_depth, min_samples_split=args.min_samples_split, random_state=args.seed)
    else:
        y = np.array([float(r[args.target]) for r in rows])
        tree = DecisionTreeRegressor(max_depth=args.max_depth, min_samples_split=args.min_samples_split, random_state=args.seed)

    if holdout_rows:
        fit_idx = np.arange(len(train_rows))
        score_idx = np.arange(len(train_rows), len(rows))
    else:
        order = np.random.default_rng(args.seed).permutation(len(rows))
        held = int(round(len(rows) * args.test_fraction))
        score_idx, fit_idx = order[:held], order[held:]

    started = time.perf_counter()
    tree.fit(x[fit_idx], y[fit_idx])
    fitted = time.perf_counter()
    predicted = tree.predict(x[score_idx])
    done = time.perf_counter()

    result = {
        "rows": len(rows),
        "holdoutRows": len(score_idx),
        "features": len(features),
        "trainMs": round((fitted - started) * 1000, 1),
        "predictMs": round((done - fitted) * 1000, 2),
    }
    if classify:
        result["accuracy"] = round(float(np.mean(predicted == y[score_idx])), 4)
    else:
        result["rmse"] = round(float(np.sqrt(np.mean((predicted - y[score_idx]) ** 2))), 4)
    print(json.dumps(result))


if __name__ == "__main__":
    main()

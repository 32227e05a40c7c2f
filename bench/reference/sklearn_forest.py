#!/usr/bin/env python3
"""scikit-learn's random forest on mlship's train/holdout CSV files: the reference for the forest
parity test (tests/training/forest-parity.test.ts) and the forest benchmark (bench/forest.ts).

    sklearn_forest.py TRAIN.csv TARGET --holdout HOLDOUT.csv [--task classification|regression]
                      [--n-estimators N] [--max-depth N] [--max-features sqrt|all|N|F]
                      [--min-samples-split N] [--no-bootstrap] [--max-samples N|F] [--seed N]
                      [--n-jobs N] [--oob] [--predict-timing]

Every column but TARGET is a numeric feature. Prints one JSON object: task, trainRows,
holdoutRows, trainMs (fit only, like mlship's trainMs; with --oob the out-of-bag score is part of
the fit, as in mlship), nodes, accuracy (classification) or r2 and rmse (regression) on the
holdout, oobScore, and with --predict-timing singleRowMs (median predict time of one row) and
bulkMs (predict of the whole holdout).
"""
import argparse
import json
import os
import sys
import time

import numpy as np
from sklearn.ensemble import RandomForestClassifier, RandomForestRegressor

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from sklearn_cart import load  # noqa: E402  (the same CSV reading as the CART reference)


def number_or_name(text):
    if text in ("sqrt", "log2"):
        return text
    if text == "all":
        return None
    return float(text) if "." in text else int(text)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("train")
    parser.add_argument("target")
    parser.add_argument("--holdout", required=True)
    parser.add_argument("--task", choices=["classification", "regression"], default="classification")
    parser.add_argument("--n-estimators", type=int, default=100)
    parser.add_argument("--max-depth", type=int, default=None)
    parser.add_argument("--max-features", type=number_or_name, default=None)
    parser.add_argument("--min-samples-split", type=int, default=2)
    parser.add_argument("--no-bootstrap", action="store_true")
    parser.add_argument("--max-samples", type=number_or_name, default=None)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--n-jobs", type=int, default=-1)
    parser.add_argument("--oob", action="store_true")
    parser.add_argument("--predict-timing", action="store_true")
    args = parser.parse_args()

    classification = args.task == "classification"
    dtype = str if classification else np.float64
    x_train, y_train = load(args.train, args.target, dtype)
    x_holdout, y_holdout = load(args.holdout, args.target, dtype)
    model_class = RandomForestClassifier if classification else RandomForestRegressor
    max_features = args.max_features if args.max_features is not None else ("sqrt" if classification else None)
    model = model_class(
        n_estimators=args.n_estimators,
        max_depth=args.max_depth,
        max_features=max_features,
        min_samples_split=args.min_samples_split,
        bootstrap=not args.no_bootstrap,
        max_samples=args.max_samples,
        oob_score=args.oob and not args.no_bootstrap,
        n_jobs=args.n_jobs,
        random_state=args.seed,
    )

    started = time.perf_counter()
    model.fit(x_train, y_train)
    train_ms = (time.perf_counter() - started) * 1000

    predicted = model.predict(x_holdout)
    result = {
        "task": args.task,
        "trainRows": int(len(y_train)),
        "holdoutRows": int(len(y_holdout)),
        "trainMs": train_ms,
        "nodes": int(sum(e.tree_.node_count for e in model.estimators_)),
        "oobScore": float(model.oob_score_) if model.oob_score else None,
    }
    if classification:
        result["accuracy"] = float(np.mean(predicted == y_holdout))
    else:
        result["rmse"] = float(np.sqrt(np.mean((predicted - y_holdout) ** 2)))
        total = float(np.sum((y_holdout - np.mean(y_holdout)) ** 2))
        result["r2"] = 1 - float(np.sum((predicted - y_holdout) ** 2)) / total if total > 0 else 0.0
    if args.predict_timing:
        row = x_holdout[:1]
        times = []
        for _ in range(200):
            t = time.perf_counter()
            model.predict(row)
            times.append((time.perf_counter() - t) * 1000)
        result["singleRowMs"] = float(np.median(times))
        t = time.perf_counter()
        model.predict(x_holdout)
        result["bulkMs"] = (time.perf_counter() - t) * 1000
    print(json.dumps(result))


if __name__ == "__main__":
    main()

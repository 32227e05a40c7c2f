#!/usr/bin/env python3
"""scikit-learn's CART on mlship's train/holdout CSV files: the reference for the parity tests
(tests/training/sklearn-parity.test.ts) and the training benchmark (bench/cart.ts).

    sklearn_cart.py TRAIN.csv TARGET --holdout HOLDOUT.csv [--task classification|regression]
                    [--max-depth N] [--min-samples-split N]

Every column but TARGET is a numeric feature. Prints one JSON object: task, trainRows,
holdoutRows, trainMs (fit only, like mlship's trainMs), nodes, and accuracy (classification)
or rmse (regression) on the holdout.
"""
import argparse
import json
import time

import numpy as np
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor


def load(path, target, dtype):
    with open(path, encoding="utf-8-sig") as f:
        header = f.readline().strip().split(",")
    if target not in header:
        raise SystemExit(f"{path}: no column {target!r} (columns: {', '.join(header)})")
    t = header.index(target)
    features = [i for i in range(len(header)) if i != t]
    x = np.loadtxt(path, delimiter=",", skiprows=1, usecols=features, dtype=np.float64, ndmin=2, encoding="utf-8-sig")
    y = np.loadtxt(path, delimiter=",", skiprows=1, usecols=[t], dtype=dtype, ndmin=1, encoding="utf-8-sig")
    return x, y


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("train")
    parser.add_argument("target")
    parser.add_argument("--holdout", required=True)
    parser.add_argument("--task", choices=["classification", "regression"], default="classification")
    parser.add_argument("--max-depth", type=int, default=None)
    parser.add_argument("--min-samples-split", type=int, default=2)
    args = parser.parse_args()

    dtype = str if args.task == "classification" else np.float64
    x_train, y_train = load(args.train, args.target, dtype)
    x_holdout, y_holdout = load(args.holdout, args.target, dtype)
    model_class = DecisionTreeClassifier if args.task == "classification" else DecisionTreeRegressor
    model = model_class(max_depth=args.max_depth, min_samples_split=args.min_samples_split, random_state=0)

    started = time.perf_counter()
    model.fit(x_train, y_train)
    train_ms = (time.perf_counter() - started) * 1000

    predicted = model.predict(x_holdout)
    result = {
        "task": args.task,
        "trainRows": int(len(y_train)),
        "holdoutRows": int(len(y_holdout)),
        "trainMs": train_ms,
        "nodes": int(model.tree_.node_count),
    }
    if args.task == "classification":
        result["accuracy"] = float(np.mean(predicted == y_holdout))
    else:
        result["rmse"] = float(np.sqrt(np.mean((predicted - y_holdout) ** 2)))
    print(json.dumps(result))


if __name__ == "__main__":
    main()

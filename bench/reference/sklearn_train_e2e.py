#!/usr/bin/env python3
"""scikit-learn end to end, the baseline of `mlship train`'s wall time (bench/train-e2e.ts): load a
train and a holdout CSV with numpy.loadtxt, fit a DecisionTreeClassifier, evaluate on the holdout.

    sklearn_train_e2e.py TRAIN.csv HOLDOUT.csv TARGET [--max-depth N]

Every column but TARGET is a numeric feature; TARGET holds class labels. scikit-learn's defaults
otherwise (min_samples_split=2), as mlship's run uses its own defaults. Prints one JSON object:
phases in ms (import, load, fit, evaluate), node count and holdout accuracy. The caller times the
whole process, interpreter start included, as it times `mlship train`.
"""
import argparse
import json
import time

started = time.perf_counter()
import numpy as np  # noqa: E402  (timed: importing is part of what a user waits for)
from sklearn.tree import DecisionTreeClassifier  # noqa: E402

from sklearn_cart import load  # noqa: E402  (the same loading as the fit-only reference, next to this file)

imported = time.perf_counter()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("train")
    parser.add_argument("holdout")
    parser.add_argument("target")
    parser.add_argument("--max-depth", type=int, default=None)
    args = parser.parse_args()

    t0 = time.perf_counter()
    x_train, y_train = load(args.train, args.target, str)
    x_holdout, y_holdout = load(args.holdout, args.target, str)
    t1 = time.perf_counter()
    model = DecisionTreeClassifier(max_depth=args.max_depth, random_state=0)
    model.fit(x_train, y_train)
    t2 = time.perf_counter()
    accuracy = float(np.mean(model.predict(x_holdout) == y_holdout))
    t3 = time.perf_counter()
    ms = lambda a, b: (b - a) * 1000  # noqa: E731
    print(json.dumps({
        "phasesMs": {"import": ms(started, imported), "load": ms(t0, t1), "fit": ms(t1, t2), "evaluate": ms(t2, t3)},
        "nodes": int(model.tree_.node_count),
        "accuracy": accuracy,
    }))


if __name__ == "__main__":
    main()

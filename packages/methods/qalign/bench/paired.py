#!/usr/bin/env python3
# /usr/bin/python3 bench/paired.py <results.sqlite> <qalign budget> <baseline budget>  (the harness store of `pnpm bench`)
# Paired-by-problem differences at a budget: QAlign(at its budget) - baseline(at budget), per problem averaged
# over seeds, 95 % percentile bootstrap over problems (2000 resamples, seed 0); plus QAlign's cost per step.
import sqlite3, json, random, sys, statistics
db = sys.argv[1]; qb = int(sys.argv[2]); bb = int(sys.argv[3])
con = sqlite3.connect(db)
acc = {}
for method, seed, key, budgets in con.execute("select method, seed, sample_key, budgets from records"):
    for b in json.loads(budgets or "[]"):
        acc.setdefault((method, b["budget"]), {}).setdefault(key, []).append(float(b["correct"]))
def per_problem(method, budget):
    return {k: sum(v) / len(v) for k, v in acc[(method, budget)].items()}
q = per_problem("qalign", qb)
rng = random.Random(0)
for base in ["majority-vote", "weighted-majority-vote", "best-of-n"]:
    if (base, bb) not in acc: continue
    o = per_problem(base, bb); keys = sorted(set(q) & set(o))
    d = [q[k] - o[k] for k in keys]
    boots = sorted(statistics.mean(rng.choice(d) for _ in d) for _ in range(2000))
    print(f"qalign@{qb} - {base}@{bb}: {100*statistics.mean(d):+.1f} points [{100*boots[49]:+.1f}, {100*boots[1949]:+.1f}] over {len(keys)} problems")
rows = list(con.execute("select extra, latency_ms from records where method='qalign'"))
if rows:
    ex = [json.loads(e) for e, _ in rows]
    # Per step of the chain as it ran (its reward evaluations are its states: steps + 1), whatever budget
    # the differences above were read at.
    states = [e["rewardEvaluations"] for e in ex]
    per = lambda xs: statistics.mean(x / n for x, n in zip(xs, states))
    print(f"qalign per step: {per([e['generatedTokens'] for e in ex]):.1f} LM tokens generated, "
          f"{per([e['flops'] for e in ex]):.3g} FLOPs, {per([l for _, l in rows]):.1f} ms "
          f"(1 thread), acceptance {100*statistics.mean(e['acceptanceRate'] for e in ex):.1f} %, {len(rows)} chains")

// promql-eval evaluates PromQL expressions with Prometheus' own engine (github.com/prometheus/prometheus/promql)
// over samples given on stdin, so that the alert rules of charts/jetmart are checked against real
// metrics scraped from running services (infra/tests and e2e tests build the input). It is promtool's
// evaluation without promtool's service-discovery dependencies (promtool takes far longer to build).
//
// Input (JSON on stdin):
//
//	{"series": [{"labels": {"__name__": "x", "job": "orders"}, "samples": [[<unix ms>, <value>], ...]}],
//	 "exprs": [{"name": "DeadLetters", "expr": "increase(x[5m]) > 0"}], "at": <unix ms>}
//
// Output (JSON on stdout): [{"name", "expr", "error"?, "result": [{"metric": {...}, "value": n}]}]
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"time"

	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/promql"
	"github.com/prometheus/prometheus/tsdb"
)

type series struct {
	Labels  map[string]string `json:"labels"`
	Samples [][2]float64      `json:"samples"`
}

type input struct {
	Series []series `json:"series"`
	Exprs  []struct {
		Name string `json:"name"`
		Expr string `json:"expr"`
	} `json:"exprs"`
	At int64 `json:"at"`
}

type sample struct {
	Metric map[string]string `json:"metric"`
	Value  float64           `json:"value"`
}

type result struct {
	Name   string   `json:"name"`
	Expr   string   `json:"expr"`
	Error  string   `json:"error,omitempty"`
	Result []sample `json:"result"`
}

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "promql-eval:", err)
		os.Exit(1)
	}
}

func run() error {
	var in input
	if err := json.NewDecoder(os.Stdin).Decode(&in); err != nil {
		return fmt.Errorf("reading input: %w", err)
	}
	dir, err := os.MkdirTemp("", "promql-eval-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	opts := tsdb.DefaultOptions()
	// Scraped samples may be older than the head's usual window.
	opts.OutOfOrderTimeWindow = int64(24 * time.Hour / time.Millisecond)
	db, err := tsdb.Open(dir, nil, nil, opts, nil)
	if err != nil {
		return err
	}
	defer db.Close()

	ctx := context.Background()
	app := db.Appender(ctx)
	for _, s := range in.Series {
		ls := labels.FromMap(s.Labels)
		for _, p := range s.Samples {
			if _, err := app.Append(0, ls, int64(p[0]), p[1]); err != nil {
				return fmt.Errorf("appending %s: %w", ls.String(), err)
			}
		}
	}
	if err := app.Commit(); err != nil {
		return err
	}

	engine := promql.NewEngine(promql.EngineOpts{MaxSamples: 50_000_000, Timeout: 30 * time.Second, LookbackDelta: 5 * time.Minute})
	out := []result{}
	for _, e := range in.Exprs {
		r := result{Name: e.Name, Expr: e.Expr, Result: []sample{}}
		q, err := engine.NewInstantQuery(ctx, db, nil, e.Expr, time.UnixMilli(in.At))
		if err != nil {
			r.Error = err.Error()
			out = append(out, r)
			continue
		}
		res := q.Exec(ctx)
		if res.Err != nil {
			r.Error = res.Err.Error()
		} else if vec, err := res.Vector(); err != nil {
			r.Error = err.Error()
		} else {
			for _, s := range vec {
				r.Result = append(r.Result, sample{Metric: s.Metric.Map(), Value: s.F})
			}
		}
		q.Close()
		out = append(out, r)
	}
	return json.NewEncoder(os.Stdout).Encode(out)
}

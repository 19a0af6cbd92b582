package seed

import (
	"container/heap"
	"context"
	"slices"
	"sync"
	"time"

	"github.com/emcc/accredit/domain"
	"github.com/emcc/accredit/domain/accreditation"
)

// timeline is what one job made: its commits, prepared, in its order.
type timeline[C any] struct {
	commits []stamped[C]
	sum     Summary
	user    bool
	err     error
}

type stamped[C any] struct {
	at time.Time
	c  C
}

// start is when job n begins: a user's registration, a case's opening.
func (g *gen) start(n int) time.Time {
	if n < len(g.users) {
		return g.users[n].At
	}
	return g.cases[n-len(g.users)].opens
}

// do makes up job n and prepares its commits.
func do[C any](ctx context.Context, g *gen, w Writer[C], n int) timeline[C] {
	j := g.newJob(n)
	var err error
	if n < len(g.users) {
		err = j.register(ctx, n)
	} else {
		err = j.runCase(ctx, g.cases[n-len(g.users)])
	}
	t := timeline[C]{sum: j.sum, user: n < len(g.users), err: err, commits: make([]stamped[C], 0, len(j.commits))}
	for _, m := range j.commits {
		if t.err != nil {
			break
		}
		c, err := w.Prepare(m.stream, m.events)
		t.commits, t.err = append(t.commits, stamped[C]{at: m.at, c: c}), err
	}
	return t
}

// write has the workers make up every job, in the order of the jobs'
// starts and at most a window ahead of the writing, and appends the
// commits of all of them in time order: a job's commits join the merge
// when the merge reaches its start, and every commit of a job is at or
// after its start.
func write[C any](ctx context.Context, g *gen, w Writer[C]) (Summary, error) {
	sum := Summary{Users: map[domain.Role]int{}, States: map[accreditation.State]int{}}
	n := len(g.users) + len(g.cases)
	order := make([]int, n)
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return g.start(a).Compare(g.start(b)) })

	ctx, cancel := context.WithCancel(ctx)
	window := g.cfg.Workers * 256
	ring := make([]chan timeline[C], window) // position k's result, in slot k % window
	for i := range ring {
		ring[i] = make(chan timeline[C], 1)
	}
	free := make(chan struct{}, window) // one token per position in flight
	todo := make(chan int)
	var wg sync.WaitGroup
	wg.Go(func() {
		defer close(todo)
		for k := range n {
			select {
			case free <- struct{}{}:
			case <-ctx.Done():
				return
			}
			select {
			case todo <- k:
			case <-ctx.Done():
				return
			}
		}
	})
	for range g.cfg.Workers {
		wg.Go(func() {
			for k := range todo {
				ring[k%window] <- do(ctx, g, w, order[k])
			}
		})
	}
	// Stop the feeder before waiting for it: a run that ends early (a
	// job's error, a refused append) leaves it waiting for a free place
	// that only the merge below gives back.
	defer func() {
		cancel()
		wg.Wait()
	}()

	p := progress{cfg: g.cfg, started: time.Now(), users: len(g.users), cases: len(g.cases)}
	var m merge[C]
	next := 0 // the next position to join the merge
	for {
		for next < n && (m.Len() == 0 || !g.start(order[next]).After(m.at(0))) {
			t := <-ring[next%window]
			<-free
			if t.err != nil {
				return sum, t.err
			}
			sum.add(t.sum)
			p.joined(t.user)
			if len(t.commits) > 0 {
				heap.Push(&m, &cursor[C]{t: t, pos: next})
			}
			next++
		}
		if m.Len() == 0 {
			break
		}
		cur := m[0]
		if err := w.Append(ctx, cur.t.commits[cur.i].c); err != nil {
			return sum, err
		}
		cur.t.commits[cur.i] = stamped[C]{} // written: let it go
		if cur.i++; cur.i == len(cur.t.commits) {
			heap.Pop(&m)
		} else {
			heap.Fix(&m, 0)
		}
		if p.due() {
			at := g.cfg.Until
			if m.Len() > 0 {
				at = m.at(0)
			}
			p.report(sum, at)
		}
	}
	p.report(sum, g.cfg.Until)
	return sum, nil
}

// cursor is a job's next commit to write.
type cursor[C any] struct {
	t   timeline[C]
	i   int
	pos int
}

// merge orders the jobs being written by their next commit's time, then
// by their start.
type merge[C any] []*cursor[C]

func (m merge[C]) at(i int) time.Time { return m[i].t.commits[m[i].i].at }
func (m merge[C]) Len() int           { return len(m) }
func (m merge[C]) Less(i, j int) bool {
	if c := m.at(i).Compare(m.at(j)); c != 0 {
		return c < 0
	}
	return m[i].pos < m[j].pos
}
func (m merge[C]) Swap(i, j int) { m[i], m[j] = m[j], m[i] }
func (m *merge[C]) Push(x any)   { *m = append(*m, x.(*cursor[C])) }
func (m *merge[C]) Pop() any {
	old := *m
	c := old[len(old)-1]
	old[len(old)-1] = nil
	*m = old[:len(old)-1]
	return c
}

// progress reports how far a run is, about once a second.
type progress struct {
	cfg                        Config
	started, last              time.Time
	users, cases, regs, opened int
}

func (p *progress) joined(user bool) {
	if user {
		p.regs++
	} else {
		p.opened++
	}
}

func (p *progress) due() bool { return p.cfg.Progress != nil && time.Since(p.last) >= time.Second }

func (p *progress) report(sum Summary, at time.Time) {
	if p.cfg.Progress == nil {
		return
	}
	p.last = time.Now()
	p.cfg.Progress(Progress{Users: p.regs, Cases: p.opened, Commits: sum.Commits, Events: sum.Events,
		DataTime: at, Elapsed: time.Since(p.started), UsersTotal: p.users, Open: p.cases})
}

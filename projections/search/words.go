package search

import (
	"slices"
	"strings"
)

// wordIndex finds the ids whose words start with a term without looking at
// every id: its vocabulary is kept sorted, so the words a term starts are
// one range found by binary search, and each word lists its ids. New words
// wait in a short unsorted list, merged in once it is full, so that adding
// a word does not move the whole vocabulary each time.
type wordIndex struct {
	vocab   []string            // the words held, sorted
	pending []string            // words added since the last merge, unsorted
	ids     map[string][]string // word -> the ids holding it
}

// pendingMax is how many new words wait before they are merged in.
const pendingMax = 4096

func newWordIndex() wordIndex { return wordIndex{ids: map[string][]string{}} }

// add lists id under each of words, which are distinct and not yet listed
// for id (the index removes an id's old words before adding its new ones):
// a common word ("org") lists most ids, and looking through its list for
// each addition would make a build cost the square of the users.
func (w *wordIndex) add(id string, words []string) {
	for _, word := range words {
		list, ok := w.ids[word]
		if !ok {
			w.pending = append(w.pending, word)
		}
		w.ids[word] = append(list, id)
	}
	if len(w.pending) >= pendingMax {
		w.merge()
	}
}

// merge sorts the pending words into the vocabulary (one pass over it).
func (w *wordIndex) merge() {
	slices.Sort(w.pending)
	merged := make([]string, 0, len(w.vocab)+len(w.pending))
	i, j := 0, 0
	for i < len(w.vocab) && j < len(w.pending) {
		if w.vocab[i] < w.pending[j] {
			merged = append(merged, w.vocab[i])
			i++
		} else {
			merged = append(merged, w.pending[j])
			j++
		}
	}
	merged = append(append(merged, w.vocab[i:]...), w.pending[j:]...)
	w.vocab, w.pending = merged, w.pending[:0]
}

func (w *wordIndex) remove(id string, words []string) {
	for _, word := range words {
		list := w.ids[word]
		i := slices.Index(list, id)
		if i < 0 {
			continue
		}
		list = slices.Delete(list, i, i+1)
		if len(list) > 0 {
			w.ids[word] = list
			continue
		}
		delete(w.ids, word)
		if j, found := slices.BinarySearch(w.vocab, word); found {
			w.vocab = slices.Delete(w.vocab, j, j+1)
		} else if j := slices.Index(w.pending, word); j >= 0 {
			w.pending = slices.Delete(w.pending, j, j+1)
		}
	}
}

// prefixed calls fn with every id holding a word that starts with term
// (an id once per word).
func (w *wordIndex) prefixed(term string, fn func(id string)) {
	i, _ := slices.BinarySearch(w.vocab, term)
	for ; i < len(w.vocab) && strings.HasPrefix(w.vocab[i], term); i++ {
		for _, id := range w.ids[w.vocab[i]] {
			fn(id)
		}
	}
	for _, word := range w.pending {
		if strings.HasPrefix(word, term) {
			for _, id := range w.ids[word] {
				fn(id)
			}
		}
	}
}

// reach counts the ids a term reaches, stopping once over limit.
func (w *wordIndex) reach(term string, limit int) int {
	n := 0
	i, _ := slices.BinarySearch(w.vocab, term)
	for ; i < len(w.vocab) && strings.HasPrefix(w.vocab[i], term) && n <= limit; i++ {
		n += len(w.ids[w.vocab[i]])
	}
	for _, word := range w.pending {
		if n > limit {
			break
		}
		if strings.HasPrefix(word, term) {
			n += len(w.ids[word])
		}
	}
	return n
}

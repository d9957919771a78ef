package sheet

import "fmt"

// strTable is a shared string table held compactly: the text of all strings
// back to back in chunks of strChunk bytes, and per string one uint64 giving
// its chunk, offset and length. A string costs its text plus 8 bytes instead
// of a 16-byte header and an allocation each, the index holds no pointers for
// the garbage collector to scan, and lookups return substrings of a chunk
// without allocating. The rare string of strChunk bytes or more is kept
// alone in long.
//
// Strings are added while the table is read, under the caps on their number
// and bytes, so a hostile table is refused before it costs more than them.
type strTable struct {
	chunks []string
	refs   []uint64 // chunk<<40 | offset<<20 | length; length strLong: long[chunk]
	long   []string
	cur    []byte // the chunk being filled, not yet in chunks

	part                string // for messages: "xl/sharedStrings.xml", "SST"
	maxCount            int
	maxBytes, costSoFar int64
}

const (
	strChunkBits = 20
	strChunk     = 1 << strChunkBits // 1 MiB: 128 chunks at the default byte cap
	strLong      = strChunk - 1      // length field marking a string kept in long
)

func newStrTable(part string, lim Limits, hint int) *strTable {
	t := &strTable{part: part, maxCount: lim.MaxSharedStrings, maxBytes: lim.MaxSharedStringBytes}
	// The declared count is only a hint (it is not checked) and is capped:
	// a lie costs at most the index of the largest table allowed, and no
	// more than 1M entries up front.
	t.refs = make([]uint64, 0, min(max(hint, 0), lim.MaxSharedStrings, 1<<20))
	return t
}

// add appends s, refusing it when the table would exceed its caps.
func (t *strTable) add(s []byte) error {
	if len(t.refs) >= t.maxCount {
		return errTooComplex("MaxSharedStrings", fmt.Sprintf("共享字符串（%s）超过 %s 个上限", t.part, count(int64(t.maxCount))))
	}
	t.costSoFar += int64(len(s)) + sharedStringOverhead
	if t.costSoFar > t.maxBytes {
		return errTooComplex("MaxSharedStringBytes", fmt.Sprintf("共享字符串（%s）超过 %s上限（每个字符串另计 %d 字节）",
			t.part, byteSize(t.maxBytes), sharedStringOverhead))
	}
	if len(s) >= strLong {
		t.refs = append(t.refs, uint64(len(t.long))<<40|strLong)
		t.long = append(t.long, string(s))
		return nil
	}
	if len(t.cur)+len(s) > strChunk {
		t.flush()
	}
	if t.cur == nil {
		t.cur = make([]byte, 0, strChunk)
	}
	t.refs = append(t.refs, uint64(len(t.chunks))<<40|uint64(len(t.cur))<<strChunkBits|uint64(len(s)))
	t.cur = append(t.cur, s...)
	return nil
}

// flush moves the chunk being filled into chunks, copied to its exact size.
func (t *strTable) flush() {
	t.chunks = append(t.chunks, string(t.cur))
	t.cur = t.cur[:0]
}

// done ends the table: the last chunk is kept and the buffer let go.
func (t *strTable) done() {
	if len(t.cur) > 0 {
		t.flush()
	}
	t.cur = nil
}

// len returns the number of strings.
func (t *strTable) len() int {
	if t == nil {
		return 0
	}
	return len(t.refs)
}

// get returns string i, which must be below len.
func (t *strTable) get(i int) string {
	r := t.refs[i]
	c, n := int(r>>40), int(r&strLong)
	switch n {
	case 0:
		return "" // its chunk may never have been filled
	case strLong:
		return t.long[c]
	}
	off := int(r >> strChunkBits & strLong)
	return t.chunks[c][off : off+n]
}

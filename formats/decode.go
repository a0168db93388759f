package formats

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// decodeList reads an answer that is either one JSON list or one JSON value
// per line, as `--json` prints a stream; what names the answer in errors.
func decodeList[T any](answer []byte, what string) ([]T, error) {
	var list []T
	if err := json.Unmarshal(answer, &list); err == nil {
		return list, nil
	}
	dec := json.NewDecoder(bytes.NewReader(answer))
	for dec.More() {
		var v T
		if err := dec.Decode(&v); err != nil {
			return nil, fmt.Errorf("%s answer: %w", what, err)
		}
		list = append(list, v)
	}
	return list, nil
}

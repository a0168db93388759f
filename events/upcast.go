package events

import "encoding/json"

// An upcaster maps an old type/data shape to the current one. Stored events
// are never rewritten; decoding upcasts them on the way in.
type upcaster func(data json.RawMessage) (Type, json.RawMessage, error)

// upcasters is keyed by the old type name. v1 is the first schema, so it is
// empty; a change of shape adds an entry here and a fixture of the old shape
// under testdata/.
var upcasters = map[Type]upcaster{}

func upcast(t Type, data json.RawMessage) (Type, json.RawMessage, error) {
	// Chains of upcasters (v1 -> v2 -> v3) apply in turn; the bound guards
	// against a table that maps a type back to itself.
	for i := 0; i < 16; i++ {
		u, ok := upcasters[t]
		if !ok {
			return t, data, nil
		}
		var err error
		if t, data, err = u(data); err != nil {
			return t, data, fieldErr("data", ErrBadValue, err)
		}
	}
	return t, data, fieldErr("type", ErrUnknownType, t)
}

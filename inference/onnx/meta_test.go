package onnx

import (
	"fmt"

	pb "github.com/advancedclimatesystems/gonnx/onnx"
	"google.golang.org/protobuf/proto"
)

func setMeta(b []byte, key, old, new string) ([]byte, error) {
	mp := &pb.ModelProto{}
	if err := proto.Unmarshal(b, mp); err != nil {
		return nil, err
	}
	for _, kv := range mp.MetadataProps {
		if kv.Key == key {
			if kv.Value != old {
				return nil, fmt.Errorf("%s is %q, want %q", key, kv.Value, old)
			}
			kv.Value = new
			return proto.Marshal(mp)
		}
	}
	return nil, fmt.Errorf("no %s", key)
}

package ecg

// AnnotationCode is a WFDB/MIT annotation type code (1 = NORMAL, 5 = PVC,
// 28 = RHYTHM, ...), as defined in WFDB's <wfdb/ecgcodes.h>.
type AnnotationCode uint8

// Annotation is one entry of a WFDB annotation file (.atr, .qrs, ...).
type Annotation struct {
	// SampleIdx is the zero-based sample the annotation points at.
	SampleIdx int64
	Code      AnnotationCode
	Subtype   int8
	Chan      uint8
	Num       int8
	// Aux is the auxiliary string; rhythm changes carry e.g. "(AFIB".
	Aux string
	// AuxPad counts NUL bytes stored after Aux inside its length: the
	// original MIT-BIH files count the C string's terminating NUL (aux
	// "(N" is stored as 3 bytes "(N\x00"). Readers set it so that writing
	// an annotation back reproduces the file byte for byte; leave it 0
	// when building annotations.
	AuxPad uint8
}

// Package dataset finds the public PhysioNet tarballs in ../shared/data,
// checks each against the SHA-256 its README lists, and extracts it once into
// a cache outside the repository (under os.UserCacheDir). Tests call
// ForTest, which skips with a clear reason where the data is absent.
package dataset

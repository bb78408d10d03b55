// Package splits holds the locked train / tune division of the CinC 2017
// training set (cinc2017-train.txt, cinc2017-tune.txt) and the seeded,
// stratified procedure that made it.
//
// The lists were generated once and are never changed: models are fitted and
// their hyper-parameters chosen by cross-validation inside the train list;
// the tune list is scored once, at the end. MIT-BIH is not split here: it is
// the external test set and is never used for training or tuning.
//
// The package imports nothing of the project.
package splits

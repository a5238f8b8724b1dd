// Package sortorder stands in for vbom.ml/util/sortorder, which the module proxy no longer serves;
// it forwards to github.com/fvbommel/sortorder, where the same author moved the package.
package sortorder

import moved "github.com/fvbommel/sortorder"

// Natural sorts strings in natural order (numbers by value).
type Natural = moved.Natural

// NaturalLess reports whether str1 sorts before str2 in natural order.
func NaturalLess(str1, str2 string) bool { return moved.NaturalLess(str1, str2) }

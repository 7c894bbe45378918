package sipua

// ReplacesFromReferTo lets the external tests read a Refer-To the way a transferee does.
var ReplacesFromReferTo = replacesFromReferTo

/* Test-only stand-in for bcryptprimitives.dll, which Wine 8 lacks. Go (1.24 and later) gets its
 * random bytes from bcryptprimitives!ProcessPrng and exits at start when it is missing. This DLL goes
 * into the Wine test prefix only (.ci/wine/prefix); it never reaches a release artefact. */
#include <windows.h>

/* advapi32!SystemFunction036, better known as RtlGenRandom: Wine implements it. */
BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);

BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len) {
	while (len > 0) {
		ULONG chunk = len > 0x10000000 ? 0x10000000 : (ULONG)len;
		if (!SystemFunction036(data, chunk))
			return FALSE;
		data += chunk;
		len -= chunk;
	}
	return TRUE;
}

/* Smallest reproduction of the named-pipe hand-off hang under Wine.
   go-winio's ListenPipe creates the pipe's first instance with NtCreateNamedPipeFile(FILE_CREATE)
   and SYNCHRONIZE access only, relying on Windows' named-pipe file system to keep that instance
   closed to clients ("blocking client connections until the next call"), then accepts on a second
   instance (FILE_OPEN, read/write) with an overlapped ConnectNamedPipe.
   Run "repro.exe winio" (that layout) or "repro.exe plain" (one read/write instance); .ci/windows/wine-pipe-repro
   builds and runs both under Wine. */
#include <windows.h>
#include <winternl.h>
#include <stdio.h>
#include <string.h>
NTSTATUS NTAPI NtCreateNamedPipeFile(PHANDLE, ULONG, POBJECT_ATTRIBUTES, PIO_STATUS_BLOCK, ULONG, ULONG, ULONG,
  ULONG, ULONG, ULONG, ULONG, ULONG, ULONG, PLARGE_INTEGER);
#define FILE_CREATE_ 2
#define FILE_OPEN_ 1
static HANDLE mk(const wchar_t *nt, ULONG access, ULONG disposition, NTSTATUS *st) {
  UNICODE_STRING us; RtlInitUnicodeString(&us, nt);
  OBJECT_ATTRIBUTES oa; InitializeObjectAttributes(&oa, &us, OBJ_CASE_INSENSITIVE, NULL, NULL);
  IO_STATUS_BLOCK io; HANDLE h = NULL; LARGE_INTEGER to; to.QuadPart = -50 * 10000;
  *st = NtCreateNamedPipeFile(&h, access, &oa, &io, FILE_SHARE_READ | FILE_SHARE_WRITE, disposition, 0,
        0 /*byte type*/, 0, 0, 0xffffffff, 4096, 4096, &to);
  return h;
}
int main(int argc, char **argv) {
  int winio = argc > 1 && strcmp(argv[1], "winio") == 0;
  const wchar_t *nt = winio ? L"\\??\\pipe\\repro-winio" : L"\\??\\pipe\\repro-plain";
  const wchar_t *dos = winio ? L"\\\\.\\pipe\\repro-winio" : L"\\\\.\\pipe\\repro-plain";
  NTSTATUS st;
  HANDLE acc;
  if (winio) {
    mk(nt, SYNCHRONIZE, FILE_CREATE_, &st);
    printf("first instance (FILE_CREATE, SYNCHRONIZE only): status 0x%08lx\n", (unsigned long)st);
    HANDLE again = mk(nt, SYNCHRONIZE, FILE_CREATE_, &st);
    printf("a second FILE_CREATE of the same name: status 0x%08lx: %s (Windows refuses it: the single-instance claim relies on that)\n",
           (unsigned long)st, st == 0 ? "ALLOWED" : "refused");
    if (st == 0) CloseHandle(again);
    acc = mk(nt, GENERIC_READ | GENERIC_WRITE | SYNCHRONIZE, FILE_OPEN_, &st);
  } else {
    acc = mk(nt, GENERIC_READ | GENERIC_WRITE | SYNCHRONIZE, FILE_CREATE_, &st);
  }
  printf("accepting instance: status 0x%08lx\n", (unsigned long)st);
  OVERLAPPED ov = {0}; ov.hEvent = CreateEventW(NULL, TRUE, FALSE, NULL);
  BOOL ok = ConnectNamedPipe(acc, &ov); DWORD e = GetLastError();
  printf("overlapped ConnectNamedPipe: ok=%d error=%lu (997 = pending)\n", ok, e);
  HANDLE cli = CreateFileW(dos, GENERIC_READ | GENERIC_WRITE, 0, NULL, OPEN_EXISTING, 0, NULL);
  printf("client CreateFile: %s (%lu)\n", cli == INVALID_HANDLE_VALUE ? "failed" : "ok", GetLastError());
  DWORD w = WaitForSingleObject(ov.hEvent, 2000);
  printf("RESULT %s: the accepting instance %s\n", winio ? "winio layout" : "plain",
         w == WAIT_OBJECT_0 ? "got the client" : "got NO client within 2 s (the client sits on the first instance, which is never read)");
  return 0;
}

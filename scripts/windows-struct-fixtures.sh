#!/bin/sh
# Regenerates the x64 layout fixture the Windows structure tests compare against, from the mingw-w64 headers:
# an independent oracle for what JNA computes on Linux. Nothing is executed: sizes, offsets and the bytes of
# statically initialised structures are read out of the compiled object file.
#   apt-get install gcc-mingw-w64-x86-64 && scripts/windows-struct-fixtures.sh
set -eu
[ -n "${DEBUG:-}" ] && set -x
CC=${CC:-x86_64-w64-mingw32-gcc}
OBJCOPY=${OBJCOPY:-x86_64-w64-mingw32-objcopy}
out=${1:-"$(cd "$(dirname "$0")/.." && pwd)/src/test/resources/dev/mcpcontain/platform/windows/jna/mingw-x64-layouts.txt"}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# name | fields whose offsets are recorded
cat > "$work/structs" <<'LIST'
JOBOBJECT_BASIC_LIMIT_INFORMATION|PerProcessUserTimeLimit PerJobUserTimeLimit LimitFlags MinimumWorkingSetSize MaximumWorkingSetSize ActiveProcessLimit Affinity PriorityClass SchedulingClass
IO_COUNTERS|ReadOperationCount WriteOperationCount OtherOperationCount ReadTransferCount WriteTransferCount OtherTransferCount
JOBOBJECT_EXTENDED_LIMIT_INFORMATION|BasicLimitInformation IoInfo ProcessMemoryLimit JobMemoryLimit PeakProcessMemoryUsed PeakJobMemoryUsed
JOBOBJECT_BASIC_UI_RESTRICTIONS|UIRestrictionsClass
JOBOBJECT_CPU_RATE_CONTROL_INFORMATION|ControlFlags CpuRate
SID_AND_ATTRIBUTES|Sid Attributes
TOKEN_MANDATORY_LABEL|Label
TOKEN_GROUPS|GroupCount Groups
TOKEN_APPCONTAINER_INFORMATION|TokenAppContainer
SECURITY_CAPABILITIES|AppContainerSid Capabilities CapabilityCount Reserved
STARTUPINFOW|cb lpReserved lpDesktop lpTitle dwX dwY dwXSize dwYSize dwXCountChars dwYCountChars dwFillAttribute dwFlags wShowWindow cbReserved2 lpReserved2 hStdInput hStdOutput hStdError
STARTUPINFOEXW|StartupInfo lpAttributeList
PROCESS_INFORMATION|hProcess hThread dwProcessId dwThreadId
SECURITY_ATTRIBUTES|nLength lpSecurityDescriptor bInheritHandle
TRUSTEE_W|pMultipleTrustee MultipleTrusteeOperation TrusteeForm TrusteeType ptstrName
EXPLICIT_ACCESS_W|grfAccessPermissions grfAccessMode grfInheritance Trustee
FILETIME|dwLowDateTime dwHighDateTime
CREDENTIALW|Flags Type TargetName Comment LastWritten CredentialBlobSize CredentialBlob Persist AttributeCount Attributes TargetAlias UserName
USER_INFO_1|usri1_name usri1_password usri1_password_age usri1_priv usri1_home_dir usri1_comment usri1_flags usri1_script_path
LSA_STRING|Length MaximumLength Buffer
UNICODE_STRING|Length MaximumLength Buffer
MSV1_0_S4U_LOGON|MessageType Flags UserPrincipalName DomainName
LUID|LowPart HighPart
TOKEN_SOURCE|SourceName SourceIdentifier
QUOTA_LIMITS|PagedPoolLimit NonPagedPoolLimit MinimumWorkingSetSize MaximumWorkingSetSize PagefileLimit TimeLimit
SERVICE_STATUS|dwServiceType dwCurrentState dwControlsAccepted dwWin32ExitCode dwServiceSpecificExitCode dwCheckPoint dwWaitHint
SERVICE_TABLE_ENTRYW|lpServiceName lpServiceProc
LIST

{
  cat <<'C'
#define _WIN32_WINNT 0x0A00
#include <windows.h>
#include <aclapi.h>
#include <lm.h>
#include <wincred.h>
#include <ntsecapi.h>
#include <stddef.h>
#define P(x) ((void *)(ULONG_PTR)(x))
#define GOLDEN(n, type) __attribute__((used, section(".g" #n))) type golden_##n
/* The same values are set field by field in WindowsStructLayoutTest. */
GOLDEN(1, JOBOBJECT_EXTENDED_LIMIT_INFORMATION) = {
  .BasicLimitInformation = {
    .PerProcessUserTimeLimit = {.QuadPart = 0x1111111111111111LL}, .PerJobUserTimeLimit = {.QuadPart = 0x2222222222222222LL},
    .LimitFlags = 0x33333333, .MinimumWorkingSetSize = 0x4444444444444444ULL, .MaximumWorkingSetSize = 0x5555555555555555ULL,
    .ActiveProcessLimit = 0x66666666, .Affinity = 0x7777777777777777ULL, .PriorityClass = 0x88888888, .SchedulingClass = 0x99999999},
  .IoInfo = {0xA1A1A1A1A1A1A1A1ULL, 0xA2A2A2A2A2A2A2A2ULL, 0xA3A3A3A3A3A3A3A3ULL, 0xA4A4A4A4A4A4A4A4ULL,
             0xA5A5A5A5A5A5A5A5ULL, 0xA6A6A6A6A6A6A6A6ULL},
  .ProcessMemoryLimit = 0xB1B1B1B1B1B1B1B1ULL, .JobMemoryLimit = 0xB2B2B2B2B2B2B2B2ULL,
  .PeakProcessMemoryUsed = 0xB3B3B3B3B3B3B3B3ULL, .PeakJobMemoryUsed = 0xB4B4B4B4B4B4B4B4ULL};
GOLDEN(2, SECURITY_CAPABILITIES) = {.AppContainerSid = P(0x1000), .Capabilities = P(0x2000), .CapabilityCount = 3, .Reserved = 0};
GOLDEN(3, STARTUPINFOEXW) = {
  .StartupInfo = {.cb = 112, .lpReserved = P(0x1000), .lpDesktop = P(0x2000), .lpTitle = P(0x3000), .dwX = 1, .dwY = 2,
    .dwXSize = 3, .dwYSize = 4, .dwXCountChars = 5, .dwYCountChars = 6, .dwFillAttribute = 7, .dwFlags = 0x100,
    .wShowWindow = 0x0909, .cbReserved2 = 0x0A0A, .lpReserved2 = P(0x4000), .hStdInput = P(0x5000),
    .hStdOutput = P(0x6000), .hStdError = P(0x7000)},
  .lpAttributeList = P(0x8000)};
GOLDEN(4, EXPLICIT_ACCESS_W) = {.grfAccessPermissions = 0x001200A9, .grfAccessMode = 0x11, .grfInheritance = 0x22,
  .Trustee = {.pMultipleTrustee = P(0x1111), .MultipleTrusteeOperation = 0x33, .TrusteeForm = 0x44, .TrusteeType = 0x55,
    .ptstrName = P(0x6666)}};
GOLDEN(5, TOKEN_MANDATORY_LABEL) = {.Label = {.Sid = P(0x1000), .Attributes = 0x20}};
GOLDEN(6, PROCESS_INFORMATION) = {.hProcess = P(0x1000), .hThread = P(0x2000), .dwProcessId = 0x33, .dwThreadId = 0x44};
GOLDEN(7, SECURITY_ATTRIBUTES) = {.nLength = 24, .lpSecurityDescriptor = P(0x1000), .bInheritHandle = 1};
GOLDEN(8, JOBOBJECT_CPU_RATE_CONTROL_INFORMATION) = {.ControlFlags = 5, .CpuRate = 2500};
GOLDEN(9, JOBOBJECT_BASIC_UI_RESTRICTIONS) = {.UIRestrictionsClass = 0xFF};
GOLDEN(10, MSV1_0_S4U_LOGON) = {.MessageType = MsV1_0S4ULogon, .Flags = 0x22,
  .UserPrincipalName = {.Length = 0x0A, .MaximumLength = 0x0C, .Buffer = P(0x1000)},
  .DomainName = {.Length = 0x10, .MaximumLength = 0x12, .Buffer = P(0x2000)}};
GOLDEN(11, SERVICE_STATUS) = {.dwServiceType = 0x10, .dwCurrentState = 2, .dwControlsAccepted = 0, .dwWin32ExitCode = 0,
  .dwServiceSpecificExitCode = 0, .dwCheckPoint = 3, .dwWaitHint = 10000};
C
  i=0
  while IFS='|' read -r name fields; do
    i=$((i + 1))
    printf '__attribute__((used, section(".l%d"))) const unsigned long long layout_%d[] = {sizeof(%s)' "$i" "$i" "$name"
    for f in $fields; do printf ', offsetof(%s, %s)' "$name" "$f"; done
    printf '};\n'
  done < "$work/structs"
} > "$work/layouts.c"

"$CC" -c -O0 -o "$work/layouts.o" "$work/layouts.c"

section_hex() {
  "$OBJCOPY" -O binary --only-section="$1" "$work/layouts.o" "$work/section.bin"
  od -An -v -tx1 "$work/section.bin" | tr -d ' \n'
}

{
  echo "# Generated by scripts/windows-struct-fixtures.sh with $("$CC" --version | head -1); do not edit."
  echo "# layout NAME size=N FIELD=OFFSET ...; golden N NAME HEX (bytes of the initialised structure)"
  i=0
  while IFS='|' read -r name fields; do
    i=$((i + 1))
    hex=$(section_hex ".l$i")
    set -- $( (printf "%s" "$hex" | fold -w16; echo) | while read -r word; do
      # little-endian u64 -> decimal
      le=$(printf '%s' "$word" | fold -w2 | tac | tr -d '\n'); printf '%d ' "0x$le"; done)
    line="layout $name size=$1"
    shift
    for f in $fields; do line="$line $f=$1"; shift; done
    echo "$line"
  done < "$work/structs"
  for n in 1 2 3 4 5 6 7 8 9 10 11; do
    type=$(grep -o "GOLDEN($n, [A-Z0-9_]*)" "$work/layouts.c" | sed 's/.*, //; s/)//')
    echo "golden $n $type $(section_hex ".g$n")"
  done
} > "$out"
echo "wrote $out" >&2

; The Phonebar's Windows installer: 64-bit, per-machine or per-user, silent with /S.
;
; Built by `make windows` (.ci/windows/build installer), which defines VERSION (the git version),
; VERSION4 (four numbers for the version resource), GUI_EXE and CONSOLE_EXE (the two builds),
; WEBVIEW2_BOOTSTRAPPER (Microsoft's online WebView2 installer) and OUTFILE.
;
; Command line (see the README, "Installing on Windows"):
;   /S             silent: no pages, no questions; the exit code says how it went
;   /AllUsers      per-machine, into Program Files (needs an administrator; the default for one)
;   /CurrentUser   per-user, into %LOCALAPPDATA%\Programs (no administrator needed; the default for others)
;   /NoWebView2    do not run the WebView2 bootstrapper (sites that deploy the WebView2 Runtime themselves)
;   /D=DIR         installation folder (last on the line, no quotes)
; Exit codes: 0 done; 1 cancelled; 2 aborted (e.g. a file could not be written);
;   64 this Windows is not supported (Windows 10 or later, 64-bit).

; 64-bit installer (its own process is 64-bit: Program Files and the registry without redirection).
Target amd64-unicode
ManifestDPIAware true
ManifestSupportedOS Win10
SetCompressor /SOLID lzma
; The GUI and console builds differ in a few bytes: one dictionary spanning both stores the second almost free.
SetCompressorDictSize 64

!define PRODUCT "Phonebar"
!define PUBLISHER "Phonebar"
!define UNINST_KEY "Software\Microsoft\Windows\CurrentVersion\Uninstall\Phonebar"
!define SETTINGS_KEY "Software\Phonebar\Installer"
!define EXIT_UNSUPPORTED 64

Name "${PRODUCT}"
OutFile "${OUTFILE}"
BrandingText "${PRODUCT} ${VERSION}"

VIProductVersion "${VERSION4}"
VIFileVersion "${VERSION4}"
VIAddVersionKey /LANG=1033 "ProductName" "${PRODUCT}"
VIAddVersionKey /LANG=1033 "CompanyName" "${PUBLISHER}"
VIAddVersionKey /LANG=1033 "FileDescription" "${PRODUCT} installer"
VIAddVersionKey /LANG=1033 "FileVersion" "${VERSION}"
VIAddVersionKey /LANG=1033 "ProductVersion" "${VERSION}"
VIAddVersionKey /LANG=1033 "LegalCopyright" "The Phonebar authors"

; Per-machine for an administrator (elevating when UAC asks), per-user otherwise; /AllUsers and
; /CurrentUser choose. The choice is remembered for the uninstaller and for the next upgrade.
!define MULTIUSER_EXECUTIONLEVEL Highest
!define MULTIUSER_MUI
!define MULTIUSER_INSTALLMODE_COMMANDLINE
!define MULTIUSER_USE_PROGRAMFILES64
!define MULTIUSER_INSTALLMODE_INSTDIR "${PRODUCT}"
!define MULTIUSER_INSTALLMODE_DEFAULT_REGISTRY_KEY "${SETTINGS_KEY}"
!define MULTIUSER_INSTALLMODE_DEFAULT_REGISTRY_VALUENAME "InstallMode"
!define MULTIUSER_INSTALLMODE_INSTDIR_REGISTRY_KEY "${SETTINGS_KEY}"
!define MULTIUSER_INSTALLMODE_INSTDIR_REGISTRY_VALUENAME "InstallDir"
!include MultiUser.nsh
!include MUI2.nsh
!include LogicLib.nsh
!include WinVer.nsh
!include x64.nsh
!include FileFunc.nsh

!define MUI_ICON "..\icon.ico"
!define MUI_UNICON "..\icon.ico"
!define MUI_ABORTWARNING
!define MUI_FINISHPAGE_RUN "$INSTDIR\phonebar.exe"
!define MUI_FINISHPAGE_RUN_TEXT "Start the Phonebar"

!insertmacro MUI_PAGE_WELCOME
!insertmacro MULTIUSER_PAGE_INSTALLMODE
!insertmacro MUI_PAGE_DIRECTORY
!insertmacro MUI_PAGE_INSTFILES
!insertmacro MUI_PAGE_FINISH
!insertmacro MUI_UNPAGE_CONFIRM
!insertmacro MUI_UNPAGE_INSTFILES
!insertmacro MUI_LANGUAGE "English"

!define UNSUPPORTED_TEXT "The Phonebar needs 64-bit Windows 10 or later (it uses the WebView2 runtime and the Windows 10 microphone privacy settings). This computer runs an older or 32-bit Windows, so nothing was installed."

; refuseUnsupported refuses Windows before 10: a message box, or exit code 64 under /S. (32-bit Windows
; cannot start a 64-bit installer at all; it says so itself: "not a valid application for this OS".)
!macro refuseUnsupported
  ${IfNot} ${AtLeastWin10}
  ${OrIfNot} ${RunningX64}
    MessageBox MB_OK|MB_ICONSTOP "${UNSUPPORTED_TEXT}" /SD IDOK
    SetErrorLevel ${EXIT_UNSUPPORTED}
    Quit
  ${EndIf}
!macroend

Function .onInit
  !insertmacro refuseUnsupported
  SetRegView 64
  !insertmacro MULTIUSER_INIT
FunctionEnd

Function un.onInit
  SetRegView 64
  !insertmacro MULTIUSER_UNINIT
FunctionEnd

; The WebView2 Runtime is part of Windows 11 and of most Windows 10 machines. When neither the
; machine-wide nor this user's runtime is registered, Microsoft's online bootstrapper installs it
; (it downloads about 150 MB). /NoWebView2 skips this for sites that deploy the runtime themselves.
Function installWebView2
  ${GetParameters} $R0
  ClearErrors
  ${GetOptions} $R0 "/NoWebView2" $R1
  ${IfNot} ${Errors}
    DetailPrint "WebView2 Runtime: left to the site's own deployment (/NoWebView2)"
    Return
  ${EndIf}
  ReadRegStr $0 HKLM "SOFTWARE\WOW6432Node\Microsoft\EdgeUpdate\Clients\{F3017226-FE2A-4295-8BDF-00C3A9A7E4C5}" "pv"
  ${If} $0 != ""
  ${AndIf} $0 != "0.0.0.0"
    DetailPrint "WebView2 Runtime $0 is installed"
    Return
  ${EndIf}
  ReadRegStr $0 HKCU "Software\Microsoft\EdgeUpdate\Clients\{F3017226-FE2A-4295-8BDF-00C3A9A7E4C5}" "pv"
  ${If} $0 != ""
  ${AndIf} $0 != "0.0.0.0"
    DetailPrint "WebView2 Runtime $0 is installed for this user"
    Return
  ${EndIf}
  DetailPrint "Installing the WebView2 Runtime (download from Microsoft)"
  InitPluginsDir
  File "/oname=$PLUGINSDIR\MicrosoftEdgeWebview2Setup.exe" "${WEBVIEW2_BOOTSTRAPPER}"
  ExecWait '"$PLUGINSDIR\MicrosoftEdgeWebview2Setup.exe" /silent /install' $0
  ${If} $0 != 0
    DetailPrint "The WebView2 bootstrapper ended with code $0: the Phonebar's window needs the WebView2 Runtime (see the README)"
  ${EndIf}
FunctionEnd

; URL handlers (tel:, sip:, sips:, callto:), under SHCTX: HKCU for a per-user install, HKLM for all
; users. A click runs "phonebar.exe LINK", which hands the link to the running Phonebar (or opens it) to
; dial it. The Phonebar.URL class and its Capabilities put the Phonebar in Settings > Default apps; a
; scheme no program has claimed yet is given to the Phonebar directly, one that another program owns
; is left to it (the agent chooses in Default apps). The uninstaller removes only what points here.
!define URL_CLASS "Software\Classes\Phonebar.URL"
!define CAPABILITIES "Software\Phonebar\Capabilities"
!macro claimScheme SCHEME
  WriteRegStr SHCTX "${CAPABILITIES}\URLAssociations" "${SCHEME}" "Phonebar.URL"
  ReadRegStr $0 SHCTX "Software\Classes\${SCHEME}\shell\open\command" ""
  ${If} $0 == ""
    WriteRegStr SHCTX "Software\Classes\${SCHEME}" "" "URL:${SCHEME}"
    WriteRegStr SHCTX "Software\Classes\${SCHEME}" "URL Protocol" ""
    WriteRegStr SHCTX "Software\Classes\${SCHEME}\DefaultIcon" "" "$INSTDIR\phonebar.exe,0"
    WriteRegStr SHCTX "Software\Classes\${SCHEME}\shell\open\command" "" '"$INSTDIR\phonebar.exe" "%1"'
  ${EndIf}
!macroend
!macro releaseScheme SCHEME
  ReadRegStr $0 SHCTX "Software\Classes\${SCHEME}\shell\open\command" ""
  ${If} $0 == '"$INSTDIR\phonebar.exe" "%1"'
    DeleteRegKey SHCTX "Software\Classes\${SCHEME}"
  ${EndIf}
!macroend
Function registerURLHandlers
  WriteRegStr SHCTX "${URL_CLASS}" "" "Phonebar link"
  WriteRegStr SHCTX "${URL_CLASS}" "URL Protocol" ""
  WriteRegStr SHCTX "${URL_CLASS}\DefaultIcon" "" "$INSTDIR\phonebar.exe,0"
  WriteRegStr SHCTX "${URL_CLASS}\shell\open\command" "" '"$INSTDIR\phonebar.exe" "%1"'
  WriteRegStr SHCTX "${CAPABILITIES}" "ApplicationName" "${PRODUCT}"
  WriteRegStr SHCTX "${CAPABILITIES}" "ApplicationDescription" "Softphone for XCALLY Motion agents: dials tel:, sip: and callto: links"
  !insertmacro claimScheme "tel"
  !insertmacro claimScheme "sip"
  !insertmacro claimScheme "sips"
  !insertmacro claimScheme "callto"
  WriteRegStr SHCTX "Software\RegisteredApplications" "${PRODUCT}" "${CAPABILITIES}"
FunctionEnd

Section "Phonebar" SecMain
  SectionIn RO
  Call installWebView2
  SetOutPath "$INSTDIR"
  File "/oname=phonebar.exe" "${GUI_EXE}"
  File "/oname=phonebar.com" "${CONSOLE_EXE}"
  WriteUninstaller "$INSTDIR\uninstall.exe"

  CreateShortcut "$SMPROGRAMS\${PRODUCT}.lnk" "$INSTDIR\phonebar.exe" "" "$INSTDIR\phonebar.exe" 0 SW_SHOWNORMAL "" "Desktop companion for XCALLY Motion agents"

  Call registerURLHandlers
  WriteRegStr SHCTX "${SETTINGS_KEY}" "InstallMode" "$MultiUser.InstallMode"
  WriteRegStr SHCTX "${SETTINGS_KEY}" "InstallDir" "$INSTDIR"
  WriteRegStr SHCTX "${UNINST_KEY}" "DisplayName" "${PRODUCT}"
  WriteRegStr SHCTX "${UNINST_KEY}" "DisplayVersion" "${VERSION}"
  WriteRegStr SHCTX "${UNINST_KEY}" "Publisher" "${PUBLISHER}"
  WriteRegStr SHCTX "${UNINST_KEY}" "DisplayIcon" "$INSTDIR\phonebar.exe,0"
  WriteRegStr SHCTX "${UNINST_KEY}" "InstallLocation" "$INSTDIR"
  WriteRegStr SHCTX "${UNINST_KEY}" "UninstallString" '"$INSTDIR\uninstall.exe" /$MultiUser.InstallMode'
  WriteRegStr SHCTX "${UNINST_KEY}" "QuietUninstallString" '"$INSTDIR\uninstall.exe" /$MultiUser.InstallMode /S'
  WriteRegDWORD SHCTX "${UNINST_KEY}" "NoModify" 1
  WriteRegDWORD SHCTX "${UNINST_KEY}" "NoRepair" 1
  ${GetSize} "$INSTDIR" "/S=0K" $0 $1 $2
  WriteRegDWORD SHCTX "${UNINST_KEY}" "EstimatedSize" $0
SectionEnd

; The uninstaller removes what the installer wrote, file by file (never the folder's other contents),
; and leaves the user's own settings (%APPDATA%\phonebar) and logs (%LOCALAPPDATA%\phonebar) alone.
Section "Uninstall"
  Delete "$INSTDIR\phonebar.exe"
  Delete "$INSTDIR\phonebar.com"
  Delete "$INSTDIR\uninstall.exe"
  RMDir "$INSTDIR"
  Delete "$SMPROGRAMS\${PRODUCT}.lnk"
  !insertmacro releaseScheme "tel"
  !insertmacro releaseScheme "sip"
  !insertmacro releaseScheme "sips"
  !insertmacro releaseScheme "callto"
  DeleteRegKey SHCTX "${URL_CLASS}"
  DeleteRegValue SHCTX "Software\RegisteredApplications" "${PRODUCT}"
  DeleteRegKey SHCTX "${CAPABILITIES}"
  DeleteRegKey SHCTX "${UNINST_KEY}"
  DeleteRegKey SHCTX "${SETTINGS_KEY}"
  DeleteRegKey /ifempty SHCTX "Software\Phonebar"
SectionEnd

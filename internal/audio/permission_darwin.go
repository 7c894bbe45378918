//go:build darwin && cgo

package audio

/*
#cgo CFLAGS: -x objective-c -fobjc-arc
#cgo LDFLAGS: -framework AVFoundation
#import <AVFoundation/AVFoundation.h>

static int pb_mic_authorization(void) {
	switch ([AVCaptureDevice authorizationStatusForMediaType:AVMediaTypeAudio]) {
	case AVAuthorizationStatusAuthorized: return 1;
	case AVAuthorizationStatusDenied: return 2;
	case AVAuthorizationStatusRestricted: return 2;
	case AVAuthorizationStatusNotDetermined: return 3;
	}
	return 0;
}
*/
import "C"

func microphonePermission() Permission { return Permission(C.pb_mic_authorization()) }

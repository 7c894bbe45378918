export namespace agent {
	
	export class RuleCheck {
	    id: string;
	    text: string;
	    ok: boolean;
	
	    static createFrom(source: any = {}) {
	        return new RuleCheck(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.id = source["id"];
	        this.text = source["text"];
	        this.ok = source["ok"];
	    }
	}

}

export namespace app {
	
	export class AgentView {
	    name: string;
	    fullname: string;
	    role: string;
	    typology: string;
	    internal: string;
	    phone?: string;
	    line?: string;
	    chooseLine?: boolean;
	    phoneNumber?: string;
	    mobileNumber?: string;
	
	    static createFrom(source: any = {}) {
	        return new AgentView(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.name = source["name"];
	        this.fullname = source["fullname"];
	        this.role = source["role"];
	        this.typology = source["typology"];
	        this.internal = source["internal"];
	        this.phone = source["phone"];
	        this.line = source["line"];
	        this.chooseLine = source["chooseLine"];
	        this.phoneNumber = source["phoneNumber"];
	        this.mobileNumber = source["mobileNumber"];
	    }
	}
	export class DeviceView {
	    id: string;
	    name: string;
	    default: boolean;
	
	    static createFrom(source: any = {}) {
	        return new DeviceView(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.id = source["id"];
	        this.name = source["name"];
	        this.default = source["default"];
	    }
	}
	export class AudioView {
	    microphones: DeviceView[];
	    speakers: DeviceView[];
	    microphone: string;
	    speaker: string;
	    ringer: string;
	    notices: string[];
	    problem: string;
	    processing: boolean;
	
	    static createFrom(source: any = {}) {
	        return new AudioView(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.microphones = this.convertValues(source["microphones"], DeviceView);
	        this.speakers = this.convertValues(source["speakers"], DeviceView);
	        this.microphone = source["microphone"];
	        this.speaker = source["speaker"];
	        this.ringer = source["ringer"];
	        this.notices = source["notices"];
	        this.problem = source["problem"];
	        this.processing = source["processing"];
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	export class DemoView {
	    server: string;
	    logins: motionsim.DemoLogin[];
	
	    static createFrom(source: any = {}) {
	        return new DemoView(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.server = source["server"];
	        this.logins = this.convertValues(source["logins"], motionsim.DemoLogin);
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	
	export class LoginForm {
	    server: string;
	    username: string;
	    password: string;
	    remember: boolean;
	    force: boolean;
	    phone: string;
	    line: string;
	
	    static createFrom(source: any = {}) {
	        return new LoginForm(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.server = source["server"];
	        this.username = source["username"];
	        this.password = source["password"];
	        this.remember = source["remember"];
	        this.force = source["force"];
	        this.phone = source["phone"];
	        this.line = source["line"];
	    }
	}
	export class MicCheckView {
	    verdict: string;
	    message: string;
	    device: string;
	    rmsDbfs: number;
	    peakDbfs: number;
	    dominantHz: number;
	
	    static createFrom(source: any = {}) {
	        return new MicCheckView(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.verdict = source["verdict"];
	        this.message = source["message"];
	        this.device = source["device"];
	        this.rmsDbfs = source["rmsDbfs"];
	        this.peakDbfs = source["peakDbfs"];
	        this.dominantHz = source["dominantHz"];
	    }
	}
	export class NoticeView {
	    id: string;
	    text: string;
	    days: number;
	    action: string;
	
	    static createFrom(source: any = {}) {
	        return new NoticeView(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.id = source["id"];
	        this.text = source["text"];
	        this.days = source["days"];
	        this.action = source["action"];
	    }
	}
	export class OmniView {
	    open: boolean;
	    phoneOwner: string;
	
	    static createFrom(source: any = {}) {
	        return new OmniView(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.open = source["open"];
	        this.phoneOwner = source["phoneOwner"];
	    }
	}
	export class SSOForm {
	    server: string;
	    provider: string;
	    force: boolean;
	    phone: string;
	    line: string;
	
	    static createFrom(source: any = {}) {
	        return new SSOForm(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.server = source["server"];
	        this.provider = source["provider"];
	        this.force = source["force"];
	        this.phone = source["phone"];
	        this.line = source["line"];
	    }
	}
	export class StatusView {
	    ready: boolean;
	    pauseTypeId: number;
	    pauseType: string;
	    sinceMs: number;
	    loggedInMs: number;
	
	    static createFrom(source: any = {}) {
	        return new StatusView(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.ready = source["ready"];
	        this.pauseTypeId = source["pauseTypeId"];
	        this.pauseType = source["pauseType"];
	        this.sinceMs = source["sinceMs"];
	        this.loggedInMs = source["loggedInMs"];
	    }
	}
	export class SessionView {
	    state: string;
	    server: string;
	    username: string;
	    remember: boolean;
	    rememberAvailable: boolean;
	    rememberNote: string;
	    agent?: AgentView;
	    connection: string;
	    ready: boolean;
	    status?: StatusView;
	    pauseTypes: motion.PauseType[];
	    controlApi: string;
	    notice: string;
	    demo?: DemoView;
	    notices: NoticeView[];
	    settingsProblem: string;
	    needCurrentPassword: boolean;
	
	    static createFrom(source: any = {}) {
	        return new SessionView(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.state = source["state"];
	        this.server = source["server"];
	        this.username = source["username"];
	        this.remember = source["remember"];
	        this.rememberAvailable = source["rememberAvailable"];
	        this.rememberNote = source["rememberNote"];
	        this.agent = this.convertValues(source["agent"], AgentView);
	        this.connection = source["connection"];
	        this.ready = source["ready"];
	        this.status = this.convertValues(source["status"], StatusView);
	        this.pauseTypes = this.convertValues(source["pauseTypes"], motion.PauseType);
	        this.controlApi = source["controlApi"];
	        this.notice = source["notice"];
	        this.demo = this.convertValues(source["demo"], DemoView);
	        this.notices = this.convertValues(source["notices"], NoticeView);
	        this.settingsProblem = source["settingsProblem"];
	        this.needCurrentPassword = source["needCurrentPassword"];
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}

}

export namespace doctor {
	
	export class Check {
	    name: string;
	    ok: boolean;
	    ms: number;
	    detail: string;
	    advice: string;
	
	    static createFrom(source: any = {}) {
	        return new Check(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.name = source["name"];
	        this.ok = source["ok"];
	        this.ms = source["ms"];
	        this.detail = source["detail"];
	        this.advice = source["advice"];
	    }
	}
	export class Report {
	    ok: boolean;
	    checks: Check[];
	
	    static createFrom(source: any = {}) {
	        return new Report(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.ok = source["ok"];
	        this.checks = this.convertValues(source["checks"], Check);
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}

}

export namespace history {
	
	export class Entry {
	    remote: string;
	    name?: string;
	    direction: string;
	    // Go type: time
	    started: any;
	    seconds: number;
	    outcome: string;
	    quality?: quality.Summary;
	
	    static createFrom(source: any = {}) {
	        return new Entry(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.remote = source["remote"];
	        this.name = source["name"];
	        this.direction = source["direction"];
	        this.started = this.convertValues(source["started"], null);
	        this.seconds = source["seconds"];
	        this.outcome = source["outcome"];
	        this.quality = this.convertValues(source["quality"], quality.Summary);
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}

}

export namespace motion {
	
	export class PauseType {
	    id: number;
	    name: string;
	
	    static createFrom(source: any = {}) {
	        return new PauseType(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.id = source["id"];
	        this.name = source["name"];
	    }
	}

}

export namespace motionsim {
	
	export class DemoLogin {
	    name: string;
	    password: string;
	    typology: string;
	
	    static createFrom(source: any = {}) {
	        return new DemoLogin(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.name = source["name"];
	        this.password = source["password"];
	        this.typology = source["typology"];
	    }
	}

}

export namespace quality {
	
	export class Card {
	    level: string;
	    mos: number;
	    lossPct: number;
	    jitterMs: number;
	    rttMs: number;
	    warnings: string[];
	    codes: string[];
	
	    static createFrom(source: any = {}) {
	        return new Card(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.level = source["level"];
	        this.mos = source["mos"];
	        this.lossPct = source["lossPct"];
	        this.jitterMs = source["jitterMs"];
	        this.rttMs = source["rttMs"];
	        this.warnings = source["warnings"];
	        this.codes = source["codes"];
	    }
	}
	export class Summary {
	    seconds: number;
	    mos: number;
	    mos_min: number;
	    loss_pct: number;
	    concealed_pct: number;
	    remote_loss_pct: number;
	    jitter_ms: number;
	    rtt_ms: number;
	    warnings: string[];
	
	    static createFrom(source: any = {}) {
	        return new Summary(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.seconds = source["seconds"];
	        this.mos = source["mos"];
	        this.mos_min = source["mos_min"];
	        this.loss_pct = source["loss_pct"];
	        this.concealed_pct = source["concealed_pct"];
	        this.remote_loss_pct = source["remote_loss_pct"];
	        this.jitter_ms = source["jitter_ms"];
	        this.rtt_ms = source["rtt_ms"];
	        this.warnings = source["warnings"];
	    }
	}

}

export namespace station {
	
	export class CallView {
	    id: string;
	    direction: string;
	    remote: string;
	    remoteName: string;
	    state: string;
	    answeredAt: number;
	    muted: boolean;
	    heldByRemote: boolean;
	    reason: string;
	    quality: quality.Card;
	    consultFor: string;
	    heldAt: number;
	    notice: string;
	    noticeKind: string;
	
	    static createFrom(source: any = {}) {
	        return new CallView(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.id = source["id"];
	        this.direction = source["direction"];
	        this.remote = source["remote"];
	        this.remoteName = source["remoteName"];
	        this.state = source["state"];
	        this.answeredAt = source["answeredAt"];
	        this.muted = source["muted"];
	        this.heldByRemote = source["heldByRemote"];
	        this.reason = source["reason"];
	        this.quality = this.convertValues(source["quality"], quality.Card);
	        this.consultFor = source["consultFor"];
	        this.heldAt = source["heldAt"];
	        this.notice = source["notice"];
	        this.noticeKind = source["noticeKind"];
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	export class LogSettings {
	    level: string;
	    levels: string[];
	    sipTrace: boolean;
	    folder: string;
	
	    static createFrom(source: any = {}) {
	        return new LogSettings(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.level = source["level"];
	        this.levels = source["levels"];
	        this.sipTrace = source["sipTrace"];
	        this.folder = source["folder"];
	    }
	}
	export class PhoneView {
	    registration: string;
	    account: string;
	    problem: string;
	    calls: CallView[];
	
	    static createFrom(source: any = {}) {
	        return new PhoneView(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.registration = source["registration"];
	        this.account = source["account"];
	        this.problem = source["problem"];
	        this.calls = this.convertValues(source["calls"], CallView);
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}

}


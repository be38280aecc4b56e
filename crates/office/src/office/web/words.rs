//! The dashboard in the security office's language: every word the pages
//! themselves say, in English, Russian and Tajik (the languages a venue
//! policy may name for its guards). One table a language, each a
//! [`DashWords`] value: a word missing from a language does not compile.
//! `{…}` marks where a value goes. What gates and the office recorded (a
//! record's detail, an alarm's detail, names) is shown as recorded.

use badgegate_core::rules::AlarmKind;
use badgegate_core::vocab::{EntryReason, OfficeAlarm};

/// Everything the dashboard says in one language.
#[derive(Debug)]
pub struct DashWords {
    /// The page's `lang` attribute.
    pub code: &'static str,
    // The header.
    pub office: &'static str,
    pub gates: &'static str,
    pub venue: &'static str,
    pub all_venues: &'static str,
    pub live: &'static str,
    pub alarms: &'static str,
    pub muster: &'static str,
    pub badge_serial: &'static str,
    pub story: &'static str,
    pub connecting: &'static str,
    pub connected: &'static str,
    pub reconnecting: &'static str,
    /// `{zone}`.
    pub times_in: &'static str,
    pub sign_out: &'static str,
    /// `{since}`.
    pub office_down_since: &'static str,
    /// `{why}`.
    pub office_down: &'static str,
    /// The banner while an office on several servers switches ({why}).
    pub office_switching: &'static str,
    // Sign-in.
    pub sign_in_intro: &'static str,
    pub name: &'static str,
    pub password: &'static str,
    pub sign_in: &'static str,
    // Gates.
    pub as_of: &'static str,
    pub revoking_hint: &'static str,
    pub no_kiosk: &'static str,
    pub last_decision: &'static str,
    pub none_yet: &'static str,
    pub backlog: &'static str,
    pub lists: &'static str,
    pub clock: &'static str,
    pub records: &'static str,
    pub signed: &'static str,
    pub offline: &'static str,
    pub never_seen: &'static str,
    pub trouble: &'static str,
    pub stopped: &'static str,
    pub online: &'static str,
    /// `{when}`, `{ago}`.
    pub since_ago: &'static str,
    pub no_contact: &'static str,
    /// `{when}`.
    pub stopped_at: &'static str,
    /// `{when}`.
    pub last_contact: &'static str,
    pub clock_off: &'static str,
    pub none: &'static str,
    /// `{n}`.
    pub not_at_office: &'static str,
    /// `{kind}`, `{held}`, `{newest}`.
    pub behind_office: &'static str,
    /// `{kind}`, `{key}`.
    pub no_list_of_key: &'static str,
    /// `{n}`.
    pub unacked_alarms: &'static str,
    /// `{gate}`, `{when}`.
    pub refused_revoked_at: &'static str,
    // Signed lists.
    pub signed_lists: &'static str,
    pub no_lists: &'static str,
    /// The office's servers: {server}, {timeline}, {standbys}.
    pub cluster: &'static str,
    /// One standby: {name}, {state}, {sync}, {lag} (seconds).
    pub standby: &'static str,
    pub no_standby: &'static str,
    /// {when}.
    pub last_failover: &'static str,
    pub list: &'static str,
    pub key: &'static str,
    pub sequence: &'static str,
    pub published: &'static str,
    pub age: &'static str,
    pub by: &'static str,
    pub frozen: &'static str,
    // Live.
    pub all: &'static str,
    pub chart: &'static str,
    // Columns.
    pub time: &'static str,
    pub gate: &'static str,
    pub zone: &'static str,
    pub way: &'static str,
    pub kind: &'static str,
    pub decision: &'static str,
    pub reason: &'static str,
    pub holder: &'static str,
    pub organisation: &'static str,
    pub category: &'static str,
    pub serial: &'static str,
    pub guard: &'static str,
    pub note: &'static str,
    pub alarm: &'static str,
    pub claimed: &'static str,
    pub since: &'static str,
    pub data: &'static str,
    pub marks: &'static str,
    // Marks and freshness.
    pub check_pending: &'static str,
    pub revoked_inside: &'static str,
    pub fresh_live: &'static str,
    /// `{ago}`.
    pub gate_silent: &'static str,
    pub gate_never_seen: &'static str,
    // Alarms.
    pub alarms_hint: &'static str,
    pub no_alarms: &'static str,
    pub note_for_ticked: &'static str,
    pub acknowledge_ticked: &'static str,
    pub tick: &'static str,
    pub acknowledged_by: &'static str,
    pub at: &'static str,
    pub note_optional: &'static str,
    pub acknowledge: &'static str,
    // A badge's story.
    pub badge: &'static str,
    pub story_hint: &'static str,
    pub not_inside: &'static str,
    pub inside_now: &'static str,
    pub by_gate: &'static str,
    pub no_records: &'static str,
    pub forgeries: &'static str,
    /// `{n}`.
    pub forgeries_hint: &'static str,
    // Muster.
    pub search: &'static str,
    pub search_hint: &'static str,
    pub show: &'static str,
    pub print: &'static str,
    /// `{as_of}`, `{printed}`.
    pub muster_stale: &'static str,
    /// `{printed}`, `{n}`.
    pub muster_heading: &'static str,
    /// `{n}`.
    pub revoked_summary: &'static str,
    /// `{n}`.
    pub pending_summary: &'static str,
    pub not_current: &'static str,
    pub not_current_hint: &'static str,
    // Reasons, a few words each, by code (`ok`, `expired`, …).
    pub reasons: [(&'static str, &'static str); 34],
    // Alarms, by kind.
    pub alarm_kinds: [(&'static str, &'static str); 27],
    // Spans of time: one, a few (Russian 2–4), many.
    pub seconds: [&'static str; 3],
    pub minutes: [&'static str; 3],
    pub hours: [&'static str; 3],
    pub days: [&'static str; 3],
}

/// The dashboard's words for a language code (English for none or an
/// unknown one).
pub fn words_for(code: Option<&str>) -> &'static DashWords {
    match code.map(|c| c.trim().to_ascii_lowercase()).as_deref() {
        Some("ru") => &RU,
        Some("tg") => &TG,
        _ => &EN,
    }
}

impl DashWords {
    /// Fills `{name}` placeholders of `template`.
    pub fn fill(template: &str, values: &[(&str, &str)]) -> String {
        let mut s = template.to_owned();
        for (k, v) in values {
            s = s.replace(&format!("{{{k}}}"), v);
        }
        s
    }

    /// A span of seconds: `3 hours`, `3 часа`.
    pub fn span(&self, secs: u64) -> String {
        badgegate_core::clock::span_in(
            self.code,
            secs,
            [&self.seconds, &self.minutes, &self.hours, &self.days],
        )
    }

    /// A reason in a few words.
    pub fn reason(&self, r: EntryReason) -> &'static str {
        self.reasons
            .iter()
            .find(|(c, _)| *c == r.code())
            .map_or_else(|| r.words(), |(_, w)| w)
    }

    /// An alarm's kind, as a record's alarm or the office's.
    pub fn alarm_kind(&self, code: &str, english: &'static str) -> &'static str {
        self.alarm_kinds
            .iter()
            .find(|(c, _)| *c == code)
            .map_or(english, |(_, w)| w)
    }

    /// A record's alarm in this language.
    pub fn record_alarm(&self, k: AlarmKind) -> &'static str {
        self.alarm_kind(k.code(), k.words())
    }

    /// An office alarm in this language.
    pub fn office_alarm(&self, k: OfficeAlarm) -> &'static str {
        self.alarm_kind(k.code(), k.words())
    }
}

/// Every reason code, for the tables' completeness test.
#[cfg(test)]
fn every_reason() -> Vec<EntryReason> {
    use badgegate_core::vocab::{GuardReason, KioskEvent, Reason};
    let mut v = vec![EntryReason::Start];
    v.extend(Reason::ALL.iter().map(|r| EntryReason::Badge(*r)));
    v.extend(GuardReason::ALL.iter().map(|r| EntryReason::Guard(*r)));
    v.extend(KioskEvent::ALL.iter().map(|r| EntryReason::Event(*r)));
    v
}

pub static EN: DashWords = DashWords {
    code: "en",
    office: "badgegate office",
    gates: "Gates",
    venue: "Venue",
    all_venues: "every venue",
    live: "Live",
    alarms: "Alarms",
    muster: "Muster",
    badge_serial: "Badge serial",
    story: "Story",
    connecting: "connecting…",
    connected: "live",
    reconnecting: "reconnecting…",
    times_in: "times in {zone}",
    sign_out: "Sign out",
    office_down_since: "Office not answering since {since}: what you see is as of then; the muster list prints from that look.",
    office_down: "The office database is not answering ({why}). What you see is not current.",
    office_switching: "The office database is switching to its other server ({why}); this page carries on by itself.",
    sign_in_intro: "The security office's view of every gate. Sign in with your office user.",
    name: "Name",
    password: "Password",
    sign_in: "Sign in",
    as_of: "as of",
    revoking_hint: "Revoking is done at the accreditation desk (badgegate revoke --office): the signing key never comes to this room.",
    no_kiosk: "No kiosk enrolled yet: badgegate office add-kiosk.",
    last_decision: "Last decision",
    none_yet: "none yet",
    backlog: "Backlog",
    lists: "Lists",
    clock: "Clock",
    records: "Records",
    signed: "signed",
    offline: "OFFLINE",
    never_seen: "NEVER SEEN",
    trouble: "ONLINE, TROUBLE",
    stopped: "STOPPED",
    online: "ONLINE",
    since_ago: "since {when} ({ago} ago)",
    no_contact: "no contact yet",
    stopped_at: "stopped on purpose {when}",
    last_contact: "last contact {when}",
    clock_off: "clock off",
    none: "none",
    signed_lists: "Signed lists at the office",
    no_lists: "No revocation list or policy published through the office.",
    cluster: "Office database: {server} (primary, timeline {timeline}); {standbys}",
    standby: "standby {name} {state} {sync}, replay lag {lag} s",
    no_standby: "NO STANDBY: a record committed now is on this server only",
    last_failover: "last failover or switchover {when}",
    list: "List",
    key: "Key",
    sequence: "Sequence",
    published: "Published",
    age: "Age",
    by: "By",
    frozen: "FROZEN?",
    all: "all",
    chart: "Entries a minute, by gate, last hour",
    time: "Time",
    gate: "Gate",
    zone: "Zone",
    way: "Way",
    kind: "Kind",
    decision: "Decision",
    reason: "Reason",
    holder: "Name",
    organisation: "Organisation",
    category: "Category",
    serial: "Serial",
    guard: "Guard",
    note: "Note",
    alarm: "Alarm",
    claimed: "Claimed",
    since: "Since",
    data: "Data",
    marks: "Marks",
    check_pending: "CHECK PENDING",
    revoked_inside: "REVOKED WHILE INSIDE",
    fresh_live: "live",
    gate_silent: "gate silent {ago}",
    gate_never_seen: "gate never seen",
    alarms_hint: "Newest first, those not acknowledged on top. Each acknowledgement is kept with your name.",
    no_alarms: "No alarms.",
    note_for_ticked: "note for all ticked (optional)",
    acknowledge_ticked: "Acknowledge ticked",
    tick: "tick to acknowledge",
    acknowledged_by: "acknowledged by",
    at: "at",
    note_optional: "note (optional)",
    acknowledge: "Acknowledge",
    badge: "Badge",
    story_hint: "Every record of this serial at every gate, in time order.",
    not_inside: "Not inside any zone by the office's record.",
    inside_now: "Inside now:",
    by_gate: "by gate",
    no_records: "No gate has recorded this badge.",
    forgeries: "Someone presented a forgery of this badge",
    forgeries_hint: "{n} time(s) a badge claiming this serial was presented whose signature did not verify (forged, altered, or from a key this venue does not trust). These are not the holder's entries; what those badges claimed is shown marked.",
    search: "Search",
    search_hint: "name, serial or organisation",
    show: "Show",
    print: "Print",
    muster_stale: "The office database is not answering: this list is as of {as_of}, not {printed}. People who passed a gate since are not on it, or still on it.",
    muster_heading: "Muster list at {printed} — {n} inside",
    revoked_summary: "{n} revoked while inside: find them.",
    pending_summary: "{n} admitted with a check pending.",
    not_current: "Not current:",
    not_current_hint: "People who passed those gates since may be missing or still listed.",
    reasons: [
        ("start", "kiosk started"),
        ("ok", "ok"),
        ("not_a_badge", "not a badge of this venue"),
        ("malformed", "damaged or altered badge"),
        ("unsupported_version", "badge format too new"),
        ("unknown_key", "not signed by this venue's key"),
        ("retired_key", "signed by a retired key"),
        ("bad_signature", "forged or altered: signature does not match"),
        ("not_yet_valid", "not valid yet"),
        ("expired", "expired"),
        ("revoked", "revoked"),
        ("wrong_zone", "not valid for this zone"),
        ("already_inside", "already inside"),
        ("photo_mismatch", "photo does not match the badge"),
        ("passback_unverified", "passback unverified: office did not answer"),
        ("key_withdrawn", "signed by a withdrawn key"),
        ("key_not_valid", "signing key not valid now"),
        ("key_out_of_scope", "beyond what its signing key may grant"),
        ("confirmed", "ID checked and confirmed"),
        ("refused", "refused at the ID check"),
        ("not_confirmed", "ID check not answered in time"),
        ("override", "decided by hand"),
        ("list_accepted", "revocation list taken up"),
        ("list_refused", "revocation list refused"),
        ("policy_accepted", "venue policy taken up"),
        ("policy_refused", "venue policy refused"),
        ("keys_accepted", "key list taken up"),
        ("keys_refused", "key list refused"),
        ("hook_ok", "door opened"),
        ("hook_failed", "door command failed"),
        ("guard_signed_in", "guard signed in"),
        ("guard_signed_out", "guard signed out"),
        ("guard_sign_in_refused", "guard sign-in refused"),
        ("clock_step", "the gate's clock jumped"),
    ],
    alarm_kinds: [
        ("revoked", "revoked badge presented"),
        ("forged", "forged or altered badge"),
        ("unknown_key", "badge from an unknown key"),
        ("retired_key", "badge from a retired key"),
        ("key_refused", "badge from a withdrawn or out-of-scope key"),
        ("photo_mismatch", "photo does not match the badge"),
        ("override", "decided by hand"),
        ("id_check_failed", "ID check failed"),
        ("hook_failed", "door command failed"),
        ("list_refused", "list or policy refused"),
        ("clock_step", "gate clock jumped"),
        ("out_of_service", "out of service"),
        ("kiosk_start", "kiosk started"),
        ("offline", "gate offline"),
        ("passback", "passback conflict found after the fact"),
        ("presence", "presence conflict between gates"),
        ("signature", "record signature bad"),
        ("chain", "kiosk chain broken"),
        ("hash", "kiosk chain broken"),
        ("gap", "kiosk chain broken"),
        ("fork", "kiosk chain broken"),
        ("cut_back", "kiosk journal cut back"),
        ("revoked_inside", "revoked badge holder inside"),
        ("list", "gate refused a list the office served"),
        ("quarantine", "record outside the vocabulary quarantined"),
        ("failover", "office database moved to another server"),
        ("no_standby", "office running without a standby"),
    ],
    seconds: ["second", "seconds", "seconds"],
    minutes: ["minute", "minutes", "minutes"],
    hours: ["hour", "hours", "hours"],
    days: ["day", "days", "days"],
    not_at_office: "{n} record(s) not yet at the office",
    behind_office: "{kind} #{held}, office has #{newest}",
    no_list_of_key: "no {kind} list of key {key}",
    unacked_alarms: "{n} alarm(s) not acknowledged",
    refused_revoked_at: "refused as revoked at gate {gate} {when}",
};

pub static RU: DashWords = DashWords {
    code: "ru",
    office: "badgegate: пост охраны",
    gates: "Проходы",
    venue: "Объект",
    all_venues: "все объекты",
    live: "Сейчас",
    alarms: "Тревоги",
    muster: "Кто внутри",
    badge_serial: "Номер пропуска",
    story: "История",
    connecting: "подключение…",
    connected: "на связи",
    reconnecting: "переподключение…",
    times_in: "время: {zone}",
    sign_out: "Выйти",
    office_down_since: "База поста охраны не отвечает с {since}: вы видите состояние на тот момент; список печатается по нему.",
    office_down: "База поста охраны не отвечает ({why}). Показанное не актуально.",
    office_switching: "База поста охраны переходит на другой сервер ({why}); страница продолжит сама.",
    sign_in_intro: "Все проходы глазами поста охраны. Войдите под своим пользователем.",
    name: "Имя",
    password: "Пароль",
    sign_in: "Войти",
    as_of: "на",
    revoking_hint: "Пропуска отзывают в аккредитации (badgegate revoke --office): ключ подписи в эту комнату не попадает.",
    no_kiosk: "Ни один киоск ещё не зарегистрирован: badgegate office add-kiosk.",
    last_decision: "Последнее решение",
    none_yet: "пока нет",
    backlog: "Не передано",
    lists: "Списки",
    clock: "Часы",
    records: "Записи",
    signed: "подписаны",
    offline: "НЕТ СВЯЗИ",
    never_seen: "НЕ ПОДКЛЮЧАЛСЯ",
    trouble: "НА СВЯЗИ, ЕСТЬ ПРОБЛЕМЫ",
    stopped: "ОСТАНОВЛЕН",
    online: "НА СВЯЗИ",
    since_ago: "с {when} ({ago} назад)",
    no_contact: "связи ещё не было",
    stopped_at: "остановлен намеренно {when}",
    last_contact: "последняя связь {when}",
    clock_off: "часы сбиты",
    none: "нет",
    signed_lists: "Подписанные списки на посту",
    no_lists: "Через пост не опубликовано ни списка отзыва, ни политики.",
    cluster: "База поста: {server} (основной, линия времени {timeline}); {standbys}",
    standby: "резервный {name} {state} {sync}, отставание {lag} с",
    no_standby: "НЕТ РЕЗЕРВНОГО: запись хранится только на этом сервере",
    last_failover: "последнее переключение {when}",
    list: "Список",
    key: "Ключ",
    sequence: "Номер",
    published: "Опубликован",
    age: "Возраст",
    by: "Кем",
    frozen: "УСТАРЕЛ?",
    all: "все",
    chart: "Проходы в минуту по проходам, последний час",
    time: "Время",
    gate: "Проход",
    zone: "Зона",
    way: "Направление",
    kind: "Вид",
    decision: "Решение",
    reason: "Причина",
    holder: "Имя",
    organisation: "Организация",
    category: "Категория",
    serial: "Номер",
    guard: "Охранник",
    note: "Заметка",
    alarm: "Тревога",
    claimed: "Заявлено",
    since: "С",
    data: "Данные",
    marks: "Отметки",
    check_pending: "ПРОВЕРКА НЕ ЗАВЕРШЕНА",
    revoked_inside: "ОТОЗВАН, НАХОДЯСЬ ВНУТРИ",
    fresh_live: "актуально",
    gate_silent: "проход молчит {ago}",
    gate_never_seen: "проход не подключался",
    alarms_hint: "Новые сверху, неподтверждённые выше. Каждое подтверждение хранится с вашим именем.",
    no_alarms: "Тревог нет.",
    note_for_ticked: "заметка ко всем отмеченным (необязательно)",
    acknowledge_ticked: "Подтвердить отмеченные",
    tick: "отметьте, чтобы подтвердить",
    acknowledged_by: "подтвердил(а)",
    at: "в",
    note_optional: "заметка (необязательно)",
    acknowledge: "Подтвердить",
    badge: "Пропуск",
    story_hint: "Все записи этого номера на всех проходах, по времени.",
    not_inside: "По данным поста — ни в одной зоне.",
    inside_now: "Сейчас внутри:",
    by_gate: "через проход",
    no_records: "Ни один проход не записывал этот пропуск.",
    forgeries: "Кто-то предъявил подделку этого пропуска",
    forgeries_hint: "{n} раз(а) предъявлен пропуск с этим номером, подпись которого не подтвердилась (поддельный, изменённый или подписан ключом, которому здесь не доверяют). Это не проходы владельца; заявленное этими пропусками показано с пометкой.",
    search: "Поиск",
    search_hint: "имя, номер или организация",
    show: "Показать",
    print: "Печать",
    muster_stale: "База поста не отвечает: список на {as_of}, а не на {printed}. Прошедших с тех пор через проходы в нём нет или они ещё в нём.",
    muster_heading: "Кто внутри на {printed} — {n} чел.",
    revoked_summary: "Отозвано, находясь внутри: {n}. Найдите их.",
    pending_summary: "Пропущено с незавершённой проверкой: {n}.",
    not_current: "Не актуально:",
    not_current_hint: "Прошедших с тех пор через эти проходы может не быть в списке, или они ещё в нём.",
    reasons: [
        ("start", "киоск запущен"),
        ("ok", "в порядке"),
        ("not_a_badge", "не пропуск этого мероприятия"),
        ("malformed", "повреждённый или изменённый пропуск"),
        ("unsupported_version", "формат пропуска слишком новый"),
        ("unknown_key", "не подписан ключом мероприятия"),
        ("retired_key", "подписан выведенным ключом"),
        ("bad_signature", "подделан или изменён: подпись не совпадает"),
        ("not_yet_valid", "ещё не действует"),
        ("expired", "срок истёк"),
        ("revoked", "отозван"),
        ("wrong_zone", "не действует в этой зоне"),
        ("already_inside", "уже внутри"),
        ("photo_mismatch", "фото не совпадает с пропуском"),
        ("passback_unverified", "повторный проход не проверен: пост не ответил"),
        ("key_withdrawn", "подписан отозванным ключом"),
        ("key_not_valid", "ключ подписи сейчас не действует"),
        ("key_out_of_scope", "вне полномочий ключа подписи"),
        ("confirmed", "документ проверен, подтверждено"),
        ("refused", "отказано при проверке документа"),
        ("not_confirmed", "проверка документа не подтверждена вовремя"),
        ("override", "решено вручную"),
        ("list_accepted", "список отзыва принят"),
        ("list_refused", "список отзыва отклонён"),
        ("policy_accepted", "политика мероприятия принята"),
        ("policy_refused", "политика мероприятия отклонена"),
        ("keys_accepted", "список ключей принят"),
        ("keys_refused", "список ключей отклонён"),
        ("hook_ok", "дверь открыта"),
        ("hook_failed", "команда двери не сработала"),
        ("guard_signed_in", "охранник вошёл в смену"),
        ("guard_signed_out", "охранник вышел из смены"),
        ("guard_sign_in_refused", "вход охранника отклонён"),
        ("clock_step", "часы шлюза скакнули"),
    ],
    alarm_kinds: [
        ("revoked", "предъявлен отозванный пропуск"),
        ("forged", "поддельный или изменённый пропуск"),
        ("unknown_key", "пропуск с неизвестным ключом"),
        ("retired_key", "пропуск с выведенным ключом"),
        ("key_refused", "пропуск с отозванным ключом или вне его полномочий"),
        ("photo_mismatch", "фото не совпадает с пропуском"),
        ("override", "решено вручную"),
        ("id_check_failed", "проверка документа не пройдена"),
        ("hook_failed", "команда двери не сработала"),
        ("list_refused", "список или политика отклонены"),
        ("clock_step", "часы шлюза скакнули"),
        ("out_of_service", "не работает"),
        ("kiosk_start", "киоск запущен"),
        ("offline", "проход без связи"),
        ("passback", "повторный проход обнаружен позже"),
        ("presence", "проходы расходятся в том, кто внутри"),
        ("signature", "неверная подпись записи"),
        ("chain", "цепочка киоска нарушена"),
        ("hash", "цепочка киоска нарушена"),
        ("gap", "цепочка киоска нарушена"),
        ("fork", "цепочка киоска нарушена"),
        ("cut_back", "журнал киоска урезан"),
        ("revoked_inside", "владелец отозванного пропуска внутри"),
        ("list", "проход отклонил список, выданный постом"),
        ("quarantine", "запись вне словаря отложена в карантин"),
        ("failover", "база офиса перешла на другой сервер"),
        ("no_standby", "офис работает без резервного сервера"),
    ],
    seconds: ["секунда", "секунды", "секунд"],
    minutes: ["минута", "минуты", "минут"],
    hours: ["час", "часа", "часов"],
    days: ["день", "дня", "дней"],
    not_at_office: "записей ещё не на посту: {n}",
    behind_office: "{kind} №{held}, на посту №{newest}",
    no_list_of_key: "нет списка {kind} ключа {key}",
    unacked_alarms: "неподтверждённых тревог: {n}",
    refused_revoked_at: "отклонён как отозванный на проходе {gate} {when}",
};

pub static TG: DashWords = DashWords {
    code: "tg",
    office: "badgegate: нуқтаи ҳифз",
    gates: "Гузаргоҳҳо",
    venue: "Майдон",
    all_venues: "ҳамаи майдонҳо",
    live: "Ҳозир",
    alarms: "Ҳушдорҳо",
    muster: "Кӣ дар дохил",
    badge_serial: "Рақами бейҷ",
    story: "Таърих",
    connecting: "пайвастшавӣ…",
    connected: "дар алоқа",
    reconnecting: "аз нав пайвастшавӣ…",
    times_in: "вақт: {zone}",
    sign_out: "Баромадан",
    office_down_since: "Пойгоҳи нуқтаи ҳифз аз {since} ҷавоб намедиҳад: ҳолати он лаҳза нишон дода мешавад; рӯйхат аз рӯи он чоп мешавад.",
    office_down: "Пойгоҳи нуқтаи ҳифз ҷавоб намедиҳад ({why}). Нишондодашуда ҳозира нест.",
    office_switching: "Пойгоҳи нуқтаи ҳифз ба сервери дигараш мегузарад ({why}); саҳифа худаш идома медиҳад.",
    sign_in_intro: "Ҳамаи гузаргоҳҳо аз нигоҳи нуқтаи ҳифз. Бо корбари худ ворид шавед.",
    name: "Ном",
    password: "Рамз",
    sign_in: "Ворид шудан",
    as_of: "то",
    revoking_hint: "Бейҷҳоро дар аккредитатсия бекор мекунанд (badgegate revoke --office): калиди имзо ба ин ҳуҷра намеояд.",
    no_kiosk: "Ҳанӯз ягон киоск сабт нашудааст: badgegate office add-kiosk.",
    last_decision: "Қарори охирин",
    none_yet: "ҳанӯз нест",
    backlog: "Нафиристода",
    lists: "Рӯйхатҳо",
    clock: "Соат",
    records: "Сабтҳо",
    signed: "имзошуда",
    offline: "АЛОҚА НЕСТ",
    never_seen: "ҲЕҶ ПАЙВАСТ НАШУДААСТ",
    trouble: "ДАР АЛОҚА, МУШКИЛ ҲАСТ",
    stopped: "ҚАТЪ ШУДААСТ",
    online: "ДАР АЛОҚА",
    since_ago: "аз {when} ({ago} пеш)",
    no_contact: "ҳанӯз алоқа набуд",
    stopped_at: "қасдан қатъ шуд {when}",
    last_contact: "алоқаи охирин {when}",
    clock_off: "соат нодуруст",
    none: "нест",
    signed_lists: "Рӯйхатҳои имзошуда дар нуқта",
    no_lists: "Тавассути нуқта ягон рӯйхати бекоркунӣ ё сиёсат нашр нашудааст.",
    cluster: "Пойгоҳи нуқта: {server} (асосӣ, хатти вақт {timeline}); {standbys}",
    standby: "эҳтиётӣ {name} {state} {sync}, ақибмонӣ {lag} с",
    no_standby: "ЭҲТИЁТӢ НЕСТ: сабт танҳо дар ҳамин сервер аст",
    last_failover: "гузариши охирин {when}",
    list: "Рӯйхат",
    key: "Калид",
    sequence: "Рақам",
    published: "Нашр шуд",
    age: "Синну сол",
    by: "Аз ҷониби",
    frozen: "КӮҲНА?",
    all: "ҳама",
    chart: "Даромадҳо дар як дақиқа аз рӯи гузаргоҳ, соати охир",
    time: "Вақт",
    gate: "Гузаргоҳ",
    zone: "Минтақа",
    way: "Самт",
    kind: "Намуд",
    decision: "Қарор",
    reason: "Сабаб",
    holder: "Ном",
    organisation: "Ташкилот",
    category: "Категория",
    serial: "Рақам",
    guard: "Посбон",
    note: "Қайд",
    alarm: "Ҳушдор",
    claimed: "Изҳоршуда",
    since: "Аз",
    data: "Маълумот",
    marks: "Аломатҳо",
    check_pending: "САНҶИШ ТАМОМ НАШУДААСТ",
    revoked_inside: "ДАР ДОХИЛ БЕКОР ШУДААСТ",
    fresh_live: "ҳозира",
    gate_silent: "гузаргоҳ хомӯш {ago}",
    gate_never_seen: "гузаргоҳ ҳеҷ пайваст нашудааст",
    alarms_hint: "Навҳо дар боло, тасдиқнашудаҳо пештар. Ҳар тасдиқ бо номи шумо нигоҳ дошта мешавад.",
    no_alarms: "Ҳушдор нест.",
    note_for_ticked: "қайд барои ҳамаи қайдшудаҳо (ихтиёрӣ)",
    acknowledge_ticked: "Қайдшудаҳоро тасдиқ кунед",
    tick: "барои тасдиқ қайд кунед",
    acknowledged_by: "тасдиқ кард",
    at: "дар",
    note_optional: "қайд (ихтиёрӣ)",
    acknowledge: "Тасдиқ",
    badge: "Бейҷ",
    story_hint: "Ҳамаи сабтҳои ин рақам дар ҳамаи гузаргоҳҳо, аз рӯи вақт.",
    not_inside: "Аз рӯи сабти нуқта дар ягон минтақа нест.",
    inside_now: "Ҳозир дар дохил:",
    by_gate: "тавассути гузаргоҳ",
    no_records: "Ягон гузаргоҳ ин бейҷро сабт накардааст.",
    forgeries: "Касе нусхаи қалбакии ин бейҷро нишон дод",
    forgeries_hint: "{n} бор бейҷе бо ин рақам нишон дода шуд, ки имзояш тасдиқ нашуд (қалбакӣ, тағйирёфта ё бо калиде, ки ин ҷо эътимод надоранд). Инҳо даромадҳои соҳиб нестанд; изҳороти он бейҷҳо бо аломат нишон дода шудаанд.",
    search: "Ҷустуҷӯ",
    search_hint: "ном, рақам ё ташкилот",
    show: "Нишон додан",
    print: "Чоп",
    muster_stale: "Пойгоҳи нуқта ҷавоб намедиҳад: рӯйхат то {as_of} аст, на то {printed}. Онҳое, ки баъд аз гузаргоҳ гузаштанд, дар он нестанд ё ҳанӯз ҳастанд.",
    muster_heading: "Кӣ дар дохил то {printed} — {n} нафар",
    revoked_summary: "Дар дохил бекоршуда: {n}. Онҳоро ёбед.",
    pending_summary: "Бо санҷиши тамомнашуда гузаронида шуд: {n}.",
    not_current: "Ҳозира нест:",
    not_current_hint: "Онҳое, ки баъд аз ин гузаргоҳҳо гузаштанд, шояд дар рӯйхат набошанд ё ҳанӯз бошанд.",
    reasons: [
        ("start", "киоск оғоз шуд"),
        ("ok", "дуруст"),
        ("not_a_badge", "бейҷи ин чорабинӣ нест"),
        ("malformed", "бейҷи вайроншуда ё тағйирёфта"),
        ("unsupported_version", "формати бейҷ хеле нав"),
        ("unknown_key", "бо калиди чорабинӣ имзо нашудааст"),
        ("retired_key", "бо калиди бекоршуда имзо шудааст"),
        ("bad_signature", "қалбакӣ ё тағйирёфта: имзо мувофиқ нест"),
        ("not_yet_valid", "ҳанӯз эътибор надорад"),
        ("expired", "мӯҳлат гузаштааст"),
        ("revoked", "бекор карда шудааст"),
        ("wrong_zone", "барои ин минтақа эътибор надорад"),
        ("already_inside", "аллакай дар дохил"),
        ("photo_mismatch", "сурат ба бейҷ мувофиқ нест"),
        ("passback_unverified", "даромади такрорӣ санҷида нашуд: нуқта ҷавоб надод"),
        ("key_withdrawn", "бо калиди бозхондашуда имзо шудааст"),
        ("key_not_valid", "калиди имзо ҳоло эътибор надорад"),
        ("key_out_of_scope", "берун аз ваколати калиди имзо"),
        ("confirmed", "ҳуҷҷат санҷида ва тасдиқ шуд"),
        ("refused", "дар санҷиши ҳуҷҷат рад шуд"),
        ("not_confirmed", "санҷиши ҳуҷҷат сари вақт тасдиқ нашуд"),
        ("override", "дастӣ қарор дода шуд"),
        ("list_accepted", "рӯйхати бекоркунӣ қабул шуд"),
        ("list_refused", "рӯйхати бекоркунӣ рад шуд"),
        ("policy_accepted", "сиёсати чорабинӣ қабул шуд"),
        ("policy_refused", "сиёсати чорабинӣ рад шуд"),
        ("keys_accepted", "рӯйхати калидҳо қабул шуд"),
        ("keys_refused", "рӯйхати калидҳо рад шуд"),
        ("hook_ok", "дар кушода шуд"),
        ("hook_failed", "фармони дар иҷро нашуд"),
        ("guard_signed_in", "посбон ба навбат ворид шуд"),
        ("guard_signed_out", "посбон аз навбат баромад"),
        ("guard_sign_in_refused", "вуруди посбон рад шуд"),
        ("clock_step", "соати дарвоза ҷаҳид"),
    ],
    alarm_kinds: [
        ("revoked", "бейҷи бекоршуда нишон дода шуд"),
        ("forged", "бейҷи қалбакӣ ё тағйирёфта"),
        ("unknown_key", "бейҷ бо калиди номаълум"),
        ("retired_key", "бейҷ бо калиди бекоршуда"),
        ("key_refused", "бейҷ бо калиди бозхондашуда ё берун аз ваколат"),
        ("photo_mismatch", "сурат ба бейҷ мувофиқ нест"),
        ("override", "дастӣ қарор дода шуд"),
        ("id_check_failed", "санҷиши ҳуҷҷат нагузашт"),
        ("hook_failed", "фармони дар иҷро нашуд"),
        ("list_refused", "рӯйхат ё сиёсат рад шуд"),
        ("clock_step", "соати дарвоза ҷаҳид"),
        ("out_of_service", "кор намекунад"),
        ("kiosk_start", "киоск оғоз шуд"),
        ("offline", "гузаргоҳ бе алоқа"),
        ("passback", "даромади такрорӣ баъдтар ёфт шуд"),
        ("presence", "гузаргоҳҳо дар бораи кӣ дар дохил фарқ мекунанд"),
        ("signature", "имзои сабт нодуруст"),
        ("chain", "занҷири киоск вайрон шуд"),
        ("hash", "занҷири киоск вайрон шуд"),
        ("gap", "занҷири киоск вайрон шуд"),
        ("fork", "занҷири киоск вайрон шуд"),
        ("cut_back", "маҷаллаи киоск кӯтоҳ карда шуд"),
        ("revoked_inside", "соҳиби бейҷи бекоршуда дар дохил"),
        ("list", "гузаргоҳ рӯйхати аз нуқта додашударо рад кард"),
        ("quarantine", "сабти берун аз луғат ба карантин гузошта шуд"),
        ("failover", "пойгоҳи офис ба сервери дигар гузашт"),
        ("no_standby", "офис бе сервери эҳтиётӣ кор мекунад"),
    ],
    seconds: ["сония", "сония", "сония"],
    minutes: ["дақиқа", "дақиқа", "дақиқа"],
    hours: ["соат", "соат", "соат"],
    days: ["рӯз", "рӯз", "рӯз"],
    not_at_office: "сабтҳое, ки ҳанӯз дар нуқта нестанд: {n}",
    behind_office: "{kind} №{held}, дар нуқта №{newest}",
    no_list_of_key: "рӯйхати {kind} бо калиди {key} нест",
    unacked_alarms: "ҳушдорҳои тасдиқнашуда: {n}",
    refused_revoked_at: "ҳамчун бекоршуда дар гузаргоҳи {gate} рад шуд {when}",
};

#[cfg(test)]
mod tests {
    use super::*;
    use badgegate_core::vocab::Reason;

    /// Every reason and alarm kind has its words in every language, and
    /// every language the venue policy may name has a table.
    #[test]
    fn every_code_has_words_in_every_language() {
        for code in badgegate_core::format::policy::GUARD_LANGUAGES {
            assert_eq!(words_for(Some(code)).code, code);
        }
        for w in [&EN, &RU, &TG] {
            for r in every_reason() {
                assert!(
                    w.reasons.iter().any(|(c, _)| *c == r.code()),
                    "{}: no words for reason {}",
                    w.code,
                    r.code()
                );
            }
            for k in AlarmKind::ALL {
                assert!(
                    w.alarm_kinds.iter().any(|(c, _)| *c == k.code()),
                    "{}: {}",
                    w.code,
                    k.code()
                );
            }
            for k in OfficeAlarm::ALL {
                assert!(
                    w.alarm_kinds.iter().any(|(c, _)| *c == k.code()),
                    "{}: {}",
                    w.code,
                    k.code()
                );
            }
        }
        // English says what the core says.
        for r in every_reason() {
            assert_eq!(EN.reason(r), r.words(), "{}", r.code());
        }
        for k in AlarmKind::ALL {
            assert_eq!(EN.record_alarm(*k), k.words());
        }
        for k in OfficeAlarm::ALL {
            assert_eq!(EN.office_alarm(*k), k.words());
        }
        assert_eq!(RU.reason(EntryReason::Badge(Reason::Expired)), "срок истёк");
        assert_eq!(RU.span(3 * 3600), "3 часа");
    }
}

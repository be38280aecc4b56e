//! The guard's screen in the guards' language: every word the screen
//! itself says, in English, Russian and Tajik. One table a language, each
//! a [`Words`] value: a word missing from a language does not compile.
//! `{…}` marks where a value goes. Reason codes, journal records and the
//! desk's own texts (a revocation's reason, a name) are not translated.

/// A language of the guard's screen.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Lang {
    #[default]
    En,
    Ru,
    Tg,
}

impl Lang {
    pub const ALL: [Lang; 3] = [Lang::En, Lang::Ru, Lang::Tg];

    /// `en`, `ru`, `tg` (ISO 639-1).
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Ru => "ru",
            Lang::Tg => "tg",
        }
    }

    pub fn from_code(code: &str) -> Option<Lang> {
        Lang::ALL
            .into_iter()
            .find(|l| l.code().eq_ignore_ascii_case(code.trim()))
    }

    /// The language a venue policy names for the guards (English without
    /// one).
    pub fn of_policy(policy: Option<&badgegate_core::format::policy::PolicyBody>) -> Lang {
        policy
            .and_then(|p| p.language.as_deref())
            .and_then(Lang::from_code)
            .unwrap_or_default()
    }

    /// This language's words.
    pub fn words(self) -> &'static Words {
        match self {
            Lang::En => &EN,
            Lang::Ru => &RU,
            Lang::Tg => &TG,
        }
    }
}

impl Lang {
    /// A span of seconds in plain words, as the status bar says a list's
    /// age: `3 days`, `5 часов`, `12 дақиқа`.
    pub fn span(self, secs: u64) -> String {
        let w = self.words();
        badgegate_core::clock::span_in(
            self.code(),
            secs,
            [&w.seconds, &w.minutes, &w.hours, &w.days],
        )
    }
}

/// Fills `{name}` placeholders.
pub fn fill(template: &str, values: &[(&str, &str)]) -> String {
    let mut s = template.to_owned();
    for (k, v) in values {
        s = s.replace(&format!("{{{k}}}"), v);
    }
    s
}

/// Everything the guard's screen says in one language.
#[derive(Debug, serde::Serialize)]
pub struct Words {
    // Headlines.
    pub admit: &'static str,
    pub admit_check: &'static str,
    pub deny: &'static str,
    pub check_id: &'static str,
    pub out_of_service: &'static str,
    // The card.
    pub name_not_verified: &'static str,
    /// `{name}`, `{org}` (with its own brackets, or empty).
    pub claims: &'static str,
    pub badge: &'static str,
    pub hint_verdict: &'static str,
    /// `{secs}`.
    pub hint_confirm: &'static str,
    /// `{n}`.
    pub more_waiting: &'static str,
    // Reasons (`{when}` a relative time; `{zone}`, `{zones}`; `{why}`).
    pub valid_until: &'static str,
    pub exit_recorded: &'static str,
    pub check_category: &'static str,
    pub check_photo_missing: &'static str,
    pub inside_look: &'static str,
    pub inside_deny: &'static str,
    pub passback_unverified: &'static str,
    pub expired: &'static str,
    pub not_yet_valid: &'static str,
    pub revoked: &'static str,
    pub revoked_why: &'static str,
    pub wrong_zone: &'static str,
    pub this_zone: &'static str,
    pub unknown_key: &'static str,
    pub retired_key: &'static str,
    pub key_withdrawn: &'static str,
    pub key_not_valid: &'static str,
    pub key_out_of_scope: &'static str,
    pub bad_signature: &'static str,
    pub malformed: &'static str,
    pub unsupported_version: &'static str,
    pub not_a_badge: &'static str,
    pub photo_mismatch: &'static str,
    // The guard's own decisions (`{note}`: `: “…”` or empty).
    pub admitted_by_hand: &'static str,
    pub refused_by_hand: &'static str,
    pub id_confirmed: &'static str,
    pub id_refused: &'static str,
    pub id_not_answered: &'static str,
    // The kiosk's events (`{detail}`, `{guard}`).
    pub kiosk_started: &'static str,
    pub list_taken_up: &'static str,
    pub policy_taken_up: &'static str,
    pub keys_taken_up: &'static str,
    pub door_opened: &'static str,
    pub signed_in: &'static str,
    pub signed_out: &'static str,
    // Times.
    pub today: &'static str,
    pub yesterday: &'static str,
    pub tomorrow: &'static str,
    // The status bar.
    /// `{admitted}`, `{denied}`, `{inside}`.
    pub counts: &'static str,
    pub entry: &'static str,
    pub exit: &'static str,
    pub any_zone: &'static str,
    pub kiosk: &'static str,
    pub journal_unsigned: &'static str,
    pub nobody_signed_in: &'static str,
    /// `{guard}`.
    pub guard: &'static str,
    /// `{n}`.
    pub office_online: &'static str,
    /// `{since}`.
    pub office_offline: &'static str,
    /// A cluster office lost for a moment: switching servers.
    pub office_switching: &'static str,
    /// `{n}`.
    pub office_not_pushing: &'static str,
    // The ready screen and others.
    pub ready: &'static str,
    pub no_more_frames: &'static str,
    pub show_badge: &'static str,
    pub no_more_frames_help: &'static str,
    pub ready_keys: &'static str,
    pub admits_no_one: &'static str,
    // The revocation lists on the status bar.
    pub no_list: &'static str,
    /// `{numbers}`, `{age}`.
    pub lists: &'static str,
    /// `{bound}`.
    pub lists_frozen: &'static str,
    pub list_refused: &'static str,
    // What the gate tells the guard (`{serial}`, `{seq}`).
    pub already_waits: &'static str,
    pub check_settled: &'static str,
    /// The gate PC's clock was set back (`{secs}`, `{held}`), or jumped
    /// forward (`{secs}`).
    pub clock_set_back: &'static str,
    pub clock_forward: &'static str,
    // The guard's own actions.
    pub every_zone: &'static str,
    pub signed_out_notice: &'static str,
    pub no_staff_badge: &'static str,
    pub sign_in_first: &'static str,
    pub note_needed: &'static str,
    pub admit_anyway: &'static str,
    pub sign_in: &'static str,
    pub sign_in_help: &'static str,
    pub admit_by_hand: &'static str,
    pub deny_by_hand: &'static str,
    pub why_prompt: &'static str,
    pub note_keys: &'static str,
    pub no_badge_read: &'static str,
    pub no_badge_note: &'static str,
    /// `{detail}`.
    pub refused_detail: &'static str,
    // The camera.
    /// `{why}`, `{n}`.
    pub camera_lost: &'static str,
    pub scanner_still: &'static str,
    pub no_picture_ended: &'static str,
    pub no_picture_scanner: &'static str,
    // What could not be done, and why (`{why}`, `{name}`, `{category}`,
    // `{detail}`, `{holder}`, `{seq}`).
    pub sign_in_refused: &'static str,
    pub not_staff: &'static str,
    pub nothing_to_confirm: &'static str,
    pub list_refused_event: &'static str,
    pub policy_refused_event: &'static str,
    pub keys_refused_event: &'static str,
    pub door_not_opened: &'static str,
    pub the_last_admit: &'static str,
    pub journal_fails: &'static str,
    pub engine_stopped: &'static str,
    // Spans of time: one, a few (Russian 2–4), many.
    pub seconds: [&'static str; 3],
    pub minutes: [&'static str; 3],
    pub hours: [&'static str; 3],
    pub days: [&'static str; 3],
}

pub static EN: Words = Words {
    admit: "ADMIT",
    admit_check: "ADMIT — CHECK",
    deny: "DENY",
    check_id: "CHECK ID",
    out_of_service: "OUT OF SERVICE",
    name_not_verified: "NAME NOT VERIFIED",
    claims: "badge claims “{name}”{org}: do not trust it",
    badge: "badge {serial}",
    hint_verdict: "F2: admit by hand · F3: deny by hand · Esc: clear",
    hint_confirm: "check the ID · Enter: admit · Esc: refuse · refused in {secs} s",
    more_waiting: "{n} more waiting",
    valid_until: "valid until {when}",
    exit_recorded: "exit recorded",
    check_category: "valid badge; this category needs an ID check (valid until {when})",
    check_photo_missing: "valid badge; its photo is not on this kiosk: check an ID (valid until {when})",
    inside_look: "already inside: entered and has not exited — look, then let through",
    inside_deny: "already inside: this badge entered and has not exited",
    passback_unverified: "office not answering: this zone admits only entries it can check venue-wide",
    expired: "badge expired {when}",
    not_yet_valid: "badge not valid before {when}",
    revoked: "revoked",
    revoked_why: "revoked: {why}",
    wrong_zone: "not valid for {zone}; valid for {zones}",
    this_zone: "this zone",
    unknown_key: "not signed by this venue's registration key",
    retired_key: "signed with a retired key: send the holder to the accreditation desk",
    key_withdrawn: "signed with a WITHDRAWN key: possibly forged, call the security office",
    key_not_valid: "signed with a key that is not valid now: send the holder to the accreditation desk",
    key_out_of_scope: "not issued for here: its signing key may not grant {what}",
    bad_signature: "forged or altered badge: the signature does not match",
    malformed: "damaged or altered badge: cannot be read",
    unsupported_version: "badge format too new for this kiosk",
    not_a_badge: "not a badge of this venue",
    photo_mismatch: "the photo on file is not the one this badge was issued with: do not admit; call the supervisor",
    admitted_by_hand: "admitted by hand{note}",
    refused_by_hand: "refused by hand{note}",
    id_confirmed: "ID checked and confirmed by the guard",
    id_refused: "refused by the guard at the ID check",
    id_not_answered: "ID check not answered in time: not admitted",
    kiosk_started: "the kiosk started",
    list_taken_up: "new revocation list taken up: {detail}",
    policy_taken_up: "new venue policy taken up: {detail}",
    keys_taken_up: "key list taken up: {detail}",
    door_opened: "the door opened",
    signed_in: "{guard} signed in",
    signed_out: "{guard} signed out",
    today: "today",
    yesterday: "yesterday",
    tomorrow: "tomorrow",
    counts: "today: admitted {admitted} · denied {denied} · inside {inside}",
    entry: "ENTRY",
    exit: "EXIT",
    any_zone: "any zone",
    kiosk: "kiosk",
    journal_unsigned: "journal UNSIGNED",
    nobody_signed_in: "NOBODY SIGNED IN (F4)",
    guard: "guard {guard}",
    office_online: "office ONLINE, backlog {n}",
    office_offline: "office OFFLINE since {since}",
    office_switching: "office SWITCHING servers since {since}",
    office_not_pushing: "office: RECORDS NOT PUSHED (journal behind the office), backlog {n}",
    ready: "READY",
    no_more_frames: "NO MORE FRAMES",
    show_badge: "show the badge's code to the camera",
    no_more_frames_help: "no more frames from this source; Ctrl+Q closes the screen",
    ready_keys: "F2: admit by hand · F3: deny by hand · F4: sign in/out · Ctrl+Q: close",
    admits_no_one: "this kiosk admits no one: call the security office",
    no_list: "no revocation list: revoked badges are NOT refused",
    lists: "revocations {numbers}, {age} old",
    lists_frozen: ": FROZEN? past the {bound} bound: get the current list",
    list_refused: " · a new list was REFUSED",
    already_waits: "{serial} already waits for its ID check (record {seq}): answer that one",
    check_settled: "the ID check of record {seq} was already settled: nothing to confirm",
    clock_set_back: "CLOCK SET BACK {secs} s: this gate keeps its own time ({held} s ahead); tell the security office",
    clock_forward: "the clock jumped forward {secs} s",
    every_zone: "every zone",
    signed_out_notice: "signed out: nobody is on shift at this kiosk",
    no_staff_badge: "no staff badge shown: not signed in",
    sign_in_first: "nobody is signed in: press F4 and show your staff badge first",
    note_needed: "type why before saving: the note is journalled",
    admit_anyway: "this badge was refused as revoked, forged or from an unknown key: Enter again admits anyway, Esc cancels",
    sign_in: "SIGN IN",
    sign_in_help: "show your own staff badge to the camera, or scan it · Esc: cancel",
    admit_by_hand: "ADMIT BY HAND",
    deny_by_hand: "DENY BY HAND",
    why_prompt: "why? (saved in the journal)",
    note_keys: "Enter: save to the journal · Esc: cancel",
    no_badge_read: "no badge read",
    no_badge_note: "no badge read: write the holder's name in the note",
    refused_detail: "refused: {detail}",
    camera_lost: "camera lost ({why}); reconnecting, attempt {n}",
    scanner_still: "badges from a USB scanner are still decided",
    no_picture_ended: "no picture: the frame source ended",
    no_picture_scanner: "no camera picture: badges come from the scanner",
    sign_in_refused: "sign-in refused: {why}",
    not_staff: "{name} is a {category} badge, not a staff badge",
    nothing_to_confirm: "this decision does not wait for a confirmation",
    list_refused_event: "a new revocation list was REFUSED: {detail}",
    policy_refused_event: "a new venue policy was REFUSED: {detail}",
    keys_refused_event: "a new key list was REFUSED: {detail}",
    door_not_opened: "DOOR NOT OPENED for {holder}? the turnstile command failed (record {seq}): let them through by hand",
    the_last_admit: "the last admit",
    journal_fails: "the journal cannot be written: {detail}",
    engine_stopped: "the kiosk engine stopped unexpectedly: restart the kiosk",
    seconds: ["second", "seconds", "seconds"],
    minutes: ["minute", "minutes", "minutes"],
    hours: ["hour", "hours", "hours"],
    days: ["day", "days", "days"],
};

pub static RU: Words = Words {
    admit: "ПРОХОД",
    admit_check: "ПРОХОД — ПРОВЕРЬТЕ",
    deny: "ОТКАЗ",
    check_id: "ПРОВЕРЬТЕ ДОКУМЕНТ",
    out_of_service: "НЕ РАБОТАЕТ",
    name_not_verified: "ИМЯ НЕ ПОДТВЕРЖДЕНО",
    claims: "на пропуске указано «{name}»{org}: не доверяйте",
    badge: "пропуск {serial}",
    hint_verdict: "F2: пропустить вручную · F3: отказать вручную · Esc: убрать",
    hint_confirm: "проверьте документ · Enter: пропустить · Esc: отказать · отказ через {secs} с",
    more_waiting: "ещё ждут: {n}",
    valid_until: "действителен до: {when}",
    exit_recorded: "выход записан",
    check_category: "пропуск действителен; для этой категории нужна проверка документа (действителен до: {when})",
    check_photo_missing: "пропуск действителен; его фото нет на этом киоске: проверьте документ (действителен до: {when})",
    inside_look: "уже внутри: вошёл и не выходил — посмотрите, затем пропустите",
    inside_deny: "уже внутри: по этому пропуску вошли и не выходили",
    passback_unverified: "офис не отвечает: в эту зону пускают только проверенные входы",
    expired: "срок пропуска истёк: {when}",
    not_yet_valid: "пропуск ещё не действует, начало: {when}",
    revoked: "пропуск отозван",
    revoked_why: "пропуск отозван: {why}",
    wrong_zone: "не действует в зоне «{zone}»; действует: {zones}",
    this_zone: "эта зона",
    unknown_key: "не подписан ключом регистрации этого мероприятия",
    retired_key: "подписан выведенным из работы ключом: направьте владельца в аккредитацию",
    key_withdrawn: "подписан ОТОЗВАННЫМ ключом: возможна подделка, вызовите службу безопасности",
    key_not_valid: "подписан ключом, который сейчас не действует: направьте владельца в аккредитацию",
    key_out_of_scope: "выдан не для этого места: ключ подписи не может разрешать {what}",
    bad_signature: "поддельный или изменённый пропуск: подпись не совпадает",
    malformed: "повреждённый или изменённый пропуск: не читается",
    unsupported_version: "формат пропуска слишком новый для этого киоска",
    not_a_badge: "это не пропуск этого мероприятия",
    photo_mismatch: "фото в базе не то, с которым выдан пропуск: не пропускать; вызовите старшего",
    admitted_by_hand: "пропущен вручную{note}",
    refused_by_hand: "отказано вручную{note}",
    id_confirmed: "документ проверен, охранник подтвердил",
    id_refused: "охранник отказал при проверке документа",
    id_not_answered: "проверка документа не проведена вовремя: не пропущен",
    kiosk_started: "киоск запущен",
    list_taken_up: "принят новый список отзыва: {detail}",
    policy_taken_up: "принята новая политика площадки: {detail}",
    keys_taken_up: "принят список ключей: {detail}",
    door_opened: "дверь открыта",
    signed_in: "{guard}: начало смены",
    signed_out: "{guard}: конец смены",
    today: "сегодня",
    yesterday: "вчера",
    tomorrow: "завтра",
    counts: "сегодня: пропущено {admitted} · отказано {denied} · внутри {inside}",
    entry: "ВХОД",
    exit: "ВЫХОД",
    any_zone: "любая зона",
    kiosk: "киоск",
    journal_unsigned: "журнал НЕ ПОДПИСАН",
    nobody_signed_in: "НИКТО НЕ НА СМЕНЕ (F4)",
    guard: "охранник {guard}",
    office_online: "офис НА СВЯЗИ, в очереди {n}",
    office_offline: "офис НЕТ СВЯЗИ с {since}",
    office_switching: "офис ПЕРЕКЛЮЧАЕТ сервер с {since}",
    office_not_pushing: "офис: ЗАПИСИ НЕ ОТПРАВЛЯЮТСЯ (журнал отстаёт от офиса), в очереди {n}",
    ready: "ГОТОВ",
    no_more_frames: "КАДРОВ БОЛЬШЕ НЕТ",
    show_badge: "покажите код пропуска камере",
    no_more_frames_help: "источник кадров закончился; Ctrl+Q закрывает экран",
    ready_keys: "F2: пропустить вручную · F3: отказать вручную · F4: начало/конец смены · Ctrl+Q: закрыть",
    admits_no_one: "этот киоск никого не пропускает: вызовите службу безопасности",
    no_list: "нет списка отзыва: отозванные пропуска НЕ отклоняются",
    lists: "списки отзыва {numbers}, возраст {age}",
    lists_frozen: ": УСТАРЕЛ? больше {bound}: получите текущий список",
    list_refused: " · новый список ОТКЛОНЁН",
    already_waits: "{serial} уже ждёт проверки документа (запись {seq}): ответьте на неё",
    check_settled: "проверка документа записи {seq} уже решена: подтверждать нечего",
    clock_set_back: "ЧАСЫ ПЕРЕВЕДЕНЫ НАЗАД на {secs} с: шлюз ведёт своё время (впереди на {held} с); сообщите в службу безопасности",
    clock_forward: "часы ушли вперёд на {secs} с",
    every_zone: "все зоны",
    signed_out_notice: "смена закрыта: на этом киоске никого нет",
    no_staff_badge: "пропуск охраны не показан: смена не начата",
    sign_in_first: "никто не на смене: нажмите F4 и покажите свой служебный пропуск",
    note_needed: "напишите причину перед сохранением: она записывается в журнал",
    admit_anyway: "этот пропуск отклонён как отозванный, поддельный или с чужим ключом: Enter ещё раз — всё равно пропустить, Esc — отмена",
    sign_in: "НАЧАЛО СМЕНЫ",
    sign_in_help: "покажите камере свой служебный пропуск или отсканируйте его · Esc: отмена",
    admit_by_hand: "ПРОПУСТИТЬ ВРУЧНУЮ",
    deny_by_hand: "ОТКАЗАТЬ ВРУЧНУЮ",
    why_prompt: "причина? (записывается в журнал)",
    note_keys: "Enter: записать в журнал · Esc: отмена",
    no_badge_read: "пропуск не прочитан",
    no_badge_note: "пропуск не прочитан: впишите имя владельца в примечание",
    refused_detail: "отказ: {detail}",
    camera_lost: "камера потеряна ({why}); переподключение, попытка {n}",
    scanner_still: "пропуска со сканера USB по-прежнему проверяются",
    no_picture_ended: "нет изображения: источник кадров закончился",
    no_picture_scanner: "нет изображения с камеры: пропуска приходят со сканера",
    sign_in_refused: "вход в смену отклонён: {why}",
    not_staff: "{name}: пропуск категории {category}, а не сотрудника охраны",
    nothing_to_confirm: "это решение не ждёт подтверждения",
    list_refused_event: "новый список отзыва ОТКЛОНЁН: {detail}",
    policy_refused_event: "новая политика мероприятия ОТКЛОНЕНА: {detail}",
    keys_refused_event: "новый список ключей ОТКЛОНЁН: {detail}",
    door_not_opened: "ДВЕРЬ НЕ ОТКРЫЛАСЬ для {holder}? команда турникета не сработала (запись {seq}): пропустите вручную",
    the_last_admit: "последнего прошедшего",
    journal_fails: "журнал не записывается: {detail}",
    engine_stopped: "работа киоска неожиданно остановилась: перезапустите киоск",
    seconds: ["секунда", "секунды", "секунд"],
    minutes: ["минута", "минуты", "минут"],
    hours: ["час", "часа", "часов"],
    days: ["день", "дня", "дней"],
};

pub static TG: Words = Words {
    admit: "ИҶОЗАТ",
    admit_check: "ИҶОЗАТ — САНҶЕД",
    deny: "МАНЪ",
    check_id: "ҲУҶҶАТРО САНҶЕД",
    out_of_service: "КОР НАМЕКУНАД",
    name_not_verified: "НОМ ТАСДИҚ НАШУДААСТ",
    claims: "дар бейҷ навишта шудааст «{name}»{org}: бовар накунед",
    badge: "бейҷ {serial}",
    hint_verdict: "F2: дастӣ гузаронидан · F3: дастӣ рад кардан · Esc: тоза кардан",
    hint_confirm:
        "ҳуҷҷатро санҷед · Enter: гузаронидан · Esc: рад кардан · пас аз {secs} с рад мешавад",
    more_waiting: "боз интизоранд: {n}",
    valid_until: "эътибор дорад то: {when}",
    exit_recorded: "баромад сабт шуд",
    check_category: "бейҷ эътибор дорад; ин категория санҷиши ҳуҷҷатро талаб мекунад (то: {when})",
    check_photo_missing:
        "бейҷ эътибор дорад; сурати он дар ин киоск нест: ҳуҷҷатро санҷед (то: {when})",
    inside_look: "аллакай дар дохил аст: даромада, набаромадааст — нигаред, баъд гузаронед",
    inside_deny: "аллакай дар дохил аст: бо ин бейҷ даромадаанд ва набаромадаанд",
    passback_unverified:
        "идора ҷавоб намедиҳад: ба ин минтақа танҳо воридшавии санҷидашуда иҷозат дорад",
    expired: "мӯҳлати бейҷ гузаштааст: {when}",
    not_yet_valid: "бейҷ ҳанӯз эътибор надорад, аз: {when}",
    revoked: "бейҷ бекор карда шудааст",
    revoked_why: "бейҷ бекор карда шудааст: {why}",
    wrong_zone: "барои минтақаи «{zone}» эътибор надорад; эътибор дорад: {zones}",
    this_zone: "ин минтақа",
    unknown_key: "бо калиди бақайдгирии ин чорабинӣ имзо нашудааст",
    retired_key: "бо калиди бекоршуда имзо шудааст: соҳибашро ба мизи аккредитатсия фиристед",
    key_withdrawn: "бо калиди БОЗХОНДАШУДА имзо шудааст: шояд қалбакӣ бошад, хадамоти амниятро даъват кунед",
    key_not_valid: "бо калиде имзо шудааст, ки ҳоло эътибор надорад: соҳибашро ба мизи аккредитатсия фиристед",
    key_out_of_scope: "барои ин ҷо дода нашудааст: калиди имзо наметавонад {what}-ро иҷозат диҳад",
    bad_signature: "бейҷи қалбакӣ ё тағйирёфта: имзо мувофиқат намекунад",
    malformed: "бейҷи вайроншуда ё тағйирёфта: хонда намешавад",
    unsupported_version: "формати бейҷ барои ин киоск хеле нав аст",
    not_a_badge: "ин бейҷи ин чорабинӣ нест",
    photo_mismatch: "сурати бойгонӣ ба бейҷ мувофиқ нест: нагузаронед; сардорро даъват кунед",
    admitted_by_hand: "дастӣ гузаронида шуд{note}",
    refused_by_hand: "дастӣ рад карда шуд{note}",
    id_confirmed: "ҳуҷҷат санҷида шуд, посбон тасдиқ кард",
    id_refused: "посбон ҳангоми санҷиши ҳуҷҷат рад кард",
    id_not_answered: "санҷиши ҳуҷҷат сари вақт анҷом наёфт: гузаронида нашуд",
    kiosk_started: "киоск ба кор даромад",
    list_taken_up: "рӯйхати нави бекоркунӣ қабул шуд: {detail}",
    policy_taken_up: "сиёсати нави майдон қабул шуд: {detail}",
    keys_taken_up: "рӯйхати калидҳо қабул шуд: {detail}",
    door_opened: "дар кушода шуд",
    signed_in: "{guard}: оғози навбат",
    signed_out: "{guard}: анҷоми навбат",
    today: "имрӯз",
    yesterday: "дирӯз",
    tomorrow: "фардо",
    counts: "имрӯз: гузаронида {admitted} · рад {denied} · дар дохил {inside}",
    entry: "ДАРОМАД",
    exit: "БАРОМАД",
    any_zone: "ҳар минтақа",
    kiosk: "киоск",
    journal_unsigned: "журнал ИМЗО НАШУДААСТ",
    nobody_signed_in: "ДАР НАВБАТ КАСЕ НЕСТ (F4)",
    guard: "посбон {guard}",
    office_online: "идора ДАР АЛОҚА, дар навбат {n}",
    office_offline: "идора БЕ АЛОҚА аз {since}",
    office_switching: "идора серверро ИВАЗ мекунад аз {since}",
    office_not_pushing:
        "идора: САБТҲО ФИРИСТОДА НАМЕШАВАНД (журнал аз идора ақиб аст), дар навбат {n}",
    ready: "ОМОДА",
    no_more_frames: "КАДР ДИГАР НЕСТ",
    show_badge: "коди бейҷро ба камера нишон диҳед",
    no_more_frames_help: "манбаи кадрҳо тамом шуд; Ctrl+Q экранро мепӯшад",
    ready_keys:
        "F2: дастӣ гузаронидан · F3: дастӣ рад кардан · F4: оғоз/анҷоми навбат · Ctrl+Q: пӯшидан",
    admits_no_one: "ин киоск касеро намегузаронад: хадамоти амниятро даъват кунед",
    no_list: "рӯйхати бекоркунӣ нест: бейҷҳои бекоршуда рад НАМЕШАВАНД",
    lists: "рӯйхатҳои бекоркунӣ {numbers}, синну сол {age}",
    lists_frozen: ": КӮҲНА? зиёда аз {bound}: рӯйхати навро гиред",
    list_refused: " · рӯйхати нав РАД ШУД",
    already_waits: "{serial} аллакай интизори санҷиши ҳуҷҷат аст (сабти {seq}): ба он ҷавоб диҳед",
    check_settled: "санҷиши ҳуҷҷати сабти {seq} аллакай ҳал шудааст: тасдиқ кардан лозим нест",
    clock_set_back: "СОАТ {secs} с БА ҚАФО ГАРДОНИДА ШУД: дарвоза вақти худро нигоҳ медорад ({held} с пеш); ба хадамоти амният хабар диҳед",
    clock_forward: "соат {secs} с ба пеш гузашт",
    every_zone: "ҳамаи минтақаҳо",
    signed_out_notice: "навбат анҷом ёфт: дар ин киоск касе нест",
    no_staff_badge: "бейҷи посбон нишон дода нашуд: навбат оғоз нашуд",
    sign_in_first: "дар навбат касе нест: F4-ро пахш кунед ва бейҷи хизматии худро нишон диҳед",
    note_needed: "пеш аз сабт сабабро нависед: он дар журнал сабт мешавад",
    admit_anyway: "ин бейҷ ҳамчун бекоршуда, қалбакӣ ё бо калиди бегона рад шуд: Enter боз — ба ҳар ҳол гузаронидан, Esc — бекор",
    sign_in: "ОҒОЗИ НАВБАТ",
    sign_in_help: "бейҷи хизматии худро ба камера нишон диҳед ё скан кунед · Esc: бекор",
    admit_by_hand: "ДАСТӢ ГУЗАРОНИДАН",
    deny_by_hand: "ДАСТӢ РАД КАРДАН",
    why_prompt: "сабаб? (дар журнал сабт мешавад)",
    note_keys: "Enter: дар журнал сабт кардан · Esc: бекор",
    no_badge_read: "бейҷ хонда нашуд",
    no_badge_note: "бейҷ хонда нашуд: номи соҳибашро дар эзоҳ нависед",
    refused_detail: "рад: {detail}",
    camera_lost: "камера гум шуд ({why}); пайвастшавии дубора, кӯшиши {n}",
    scanner_still: "бейҷҳо аз сканери USB ҳоло ҳам санҷида мешаванд",
    no_picture_ended: "тасвир нест: манбаи кадрҳо тамом шуд",
    no_picture_scanner: "тасвири камера нест: бейҷҳо аз сканер меоянд",
    sign_in_refused: "ворид шудан ба навбат рад шуд: {why}",
    not_staff: "{name}: бейҷи категорияи {category}, на бейҷи кормандони ҳифз",
    nothing_to_confirm: "ин қарор тасдиқро интизор нест",
    list_refused_event: "рӯйхати нави бекоркунӣ РАД ШУД: {detail}",
    policy_refused_event: "сиёсати нави чорабинӣ РАД ШУД: {detail}",
    keys_refused_event: "рӯйхати нави калидҳо РАД ШУД: {detail}",
    door_not_opened: "ДАР КУШОДА НАШУД барои {holder}? фармони турникет иҷро нашуд (сабти {seq}): дастӣ гузаронед",
    the_last_admit: "охирин гузаранда",
    journal_fails: "маҷалла навишта намешавад: {detail}",
    engine_stopped: "кори киоск ногаҳон қатъ шуд: киоскро аз нав оғоз кунед",
    seconds: ["сония", "сония", "сония"],
    minutes: ["дақиқа", "дақиқа", "дақиқа"],
    hours: ["соат", "соат", "соат"],
    days: ["рӯз", "рӯз", "рӯз"],
};

#[cfg(test)]
mod tests {
    use super::*;

    /// The placeholders of every word are the same in every language, and
    /// Russian and Tajik are written in Cyrillic (nothing left in English
    /// by mistake).
    #[test]
    fn every_language_says_every_word_with_the_same_placeholders() {
        let fields = |w: &Words| -> Vec<(String, String)> {
            // The Debug form lists every field and its text, in order.
            let dump = format!("{w:#?}");
            dump.lines()
                .filter_map(|l| l.trim().split_once(": "))
                .map(|(k, v)| {
                    (
                        k.to_owned(),
                        v.trim_end_matches(',').trim_matches('"').to_owned(),
                    )
                })
                .collect()
        };
        let holes = |s: &str| -> Vec<String> {
            let mut v: Vec<String> = s
                .split('{')
                .skip(1)
                .filter_map(|p| p.split_once('}').map(|(h, _)| h.to_owned()))
                .collect();
            v.sort();
            v
        };
        let en = fields(&EN);
        assert!(en.len() >= 60, "{}", en.len());
        for lang in [Lang::Ru, Lang::Tg] {
            let other = fields(lang.words());
            assert_eq!(other.len(), en.len());
            for ((k, e), (k2, o)) in en.iter().zip(&other) {
                assert_eq!(k, k2);
                assert_eq!(holes(e), holes(o), "{lang:?} {k}: {o:?}");
                // Key names stay as printed on the keyboard.
                let mut words = ["Enter", "Esc", "Ctrl+Q", "F2", "F3", "F4"]
                    .iter()
                    .fold(o.clone(), |t, key| t.replace(key, ""));
                for h in holes(o) {
                    words = words.replace(&format!("{{{h}}}"), "");
                }
                let letters: Vec<char> = words.chars().filter(|c| c.is_alphabetic()).collect();
                let latin = letters.iter().filter(|c| c.is_ascii_alphabetic()).count();
                assert!(
                    letters.is_empty() || latin * 10 < letters.len(),
                    "{lang:?} {k} reads as English: {o:?}"
                );
            }
        }
        assert_eq!(Lang::from_code("RU"), Some(Lang::Ru));
        assert_eq!(Lang::En.span(1), "1 second");
        assert_eq!(Lang::En.span(3 * 86_400), "3 days");
        assert_eq!(Lang::Ru.span(21 * 60), "21 минута");
        assert_eq!(Lang::Ru.span(3 * 3600), "3 часа");
        assert_eq!(Lang::Ru.span(12 * 3600), "12 часов");
        assert_eq!(Lang::Ru.span(25 * 86_400), "25 дней");
        assert_eq!(Lang::Tg.span(5 * 3600), "5 соат");
        assert_eq!(Lang::from_code("fr"), None);
    }
}

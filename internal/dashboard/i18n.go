package dashboard

import "net/http"

// langCookie keeps the chosen language of the dashboard's chrome.
const langCookie = "salyq_lang"

// langs are the languages of the chrome, the first the default.
var langs = []string{"en", "ru", "kk"}

// chrome holds the dashboard's own words per language; status names are
// in internal/labels.
var chrome = map[string]map[string]string{
	"en": {
		"batches": "Batches", "batch": "Batch", "name": "Name", "created": "Created", "progress": "Progress", "final": "Final",
		"batches.none": "No batches yet: salyq submit and POST /v1/batches make them.", "reports": "Reports",
		"registration": "Registration no.", "batch.more": "Not listed here (the reports have them)",
		"overview": "Overview", "forms": "Forms", "dlq": "Dead letters", "logout": "Log out", "login": "Log in",
		"token": "API token", "login.about": "Sign in with an API token (salyq tokens add).", "login.bad": "That token is not valid.",
		"by.state": "By lifecycle phase", "by.status": "By status", "phase": "Phase", "status": "Status", "count": "Count",
		"inflight": "In flight", "total": "Forms", "queue": "Queues", "pending": "Pending", "ackpending": "Being processed",
		"dlq.count": "Dead letters", "keys": "Keys expiring within 30 days", "keys.none": "None.",
		"availability": "Gateway availability", "availability.none": "not measured yet",
		"taxpayer": "Taxpayer", "form": "Form", "period": "Period", "kind": "Kind", "updated": "Updated", "reason": "Reason",
		"filter": "Filter", "all": "all", "prev": "Newer", "next": "Older", "page": "Page",
		"history": "History", "notices": "Notices from the tax office", "exchanges": "Exchanges with the gateway",
		"request": "Request", "answer": "Answer", "download": "download", "deadletter": "Dead letter", "none": "None.",
		"replay": "Replay", "replay.all": "Replay all with this reason", "replay.confirm": "Replay these dead letters?",
		"replay.go": "Yes, replay", "cancel": "Cancel", "audit": "Replays", "who": "By", "when": "When", "ids": "Forms",
		"attempts": "Attempts", "code": "Code", "at": "At", "live": "live", "requestid": "SONO request id",
		"outcome": "Outcome", "service": "Service", "latency": "Latency", "replayed": "Replayed",
		"nav.notices": "Notices", "number": "Number", "type": "Type", "text": "Text", "notices.none": "No notices from the tax office yet.",
	},
	"ru": {
		"batches": "Пакеты", "batch": "Пакет", "name": "Наименование", "created": "Создан", "progress": "Ход", "final": "Итоговых",
		"batches.none": "Пакетов ещё нет: их создают salyq submit и POST /v1/batches.", "reports": "Отчёты",
		"registration": "Рег. номер", "batch.more": "Не показаны здесь (есть в отчётах)",
		"overview": "Обзор", "forms": "Формы", "dlq": "Недоставленные", "logout": "Выйти", "login": "Войти",
		"token": "API-токен", "login.about": "Вход по API-токену (salyq tokens add).", "login.bad": "Токен недействителен.",
		"by.state": "По фазам", "by.status": "По статусам", "phase": "Фаза", "status": "Статус", "count": "Кол-во",
		"inflight": "В работе", "total": "Форм", "queue": "Очереди", "pending": "Ожидают", "ackpending": "В обработке",
		"dlq.count": "Недоставленные", "keys": "Ключи, истекающие в течение 30 дней", "keys.none": "Нет.",
		"availability": "Доступность шлюза", "availability.none": "ещё не измерялась",
		"taxpayer": "Налогоплательщик", "form": "Форма", "period": "Период", "kind": "Вид", "updated": "Обновлено", "reason": "Причина",
		"filter": "Отбор", "all": "все", "prev": "Новее", "next": "Старше", "page": "Стр.",
		"history": "История", "notices": "Уведомления налогового органа", "exchanges": "Обмен со шлюзом",
		"request": "Запрос", "answer": "Ответ", "download": "скачать", "deadletter": "Недоставлена", "none": "Нет.",
		"replay": "Повторить", "replay.all": "Повторить все с этой причиной", "replay.confirm": "Повторить отправку этих форм?",
		"replay.go": "Да, повторить", "cancel": "Отмена", "audit": "Повторы", "who": "Кто", "when": "Когда", "ids": "Формы",
		"attempts": "Попыток", "code": "Код", "at": "Время", "live": "онлайн", "requestid": "Номер запроса СОНО",
		"outcome": "Итог", "service": "Сервис", "latency": "Задержка", "replayed": "Повторено",
		"nav.notices": "Уведомления", "number": "Номер", "type": "Тип", "text": "Текст", "notices.none": "Уведомлений налогового органа пока нет.",
	},
	"kk": {
		"batches": "Топтамалар", "batch": "Топтама", "name": "Атауы", "created": "Құрылды", "progress": "Барысы", "final": "Қорытынды",
		"batches.none": "Топтамалар әлі жоқ: оларды salyq submit және POST /v1/batches жасайды.", "reports": "Есептер",
		"registration": "Тіркеу нөмірі", "batch.more": "Мұнда көрсетілмеген (есептерде бар)",
		"overview": "Шолу", "forms": "Нысандар", "dlq": "Жеткізілмегендер", "logout": "Шығу", "login": "Кіру",
		"token": "API токені", "login.about": "API токенімен кіру (salyq tokens add).", "login.bad": "Токен жарамсыз.",
		"by.state": "Кезеңдер бойынша", "by.status": "Мәртебелер бойынша", "phase": "Кезең", "status": "Мәртебе", "count": "Саны",
		"inflight": "Жұмыста", "total": "Нысандар", "queue": "Кезектер", "pending": "Күтуде", "ackpending": "Өңделуде",
		"dlq.count": "Жеткізілмегендер", "keys": "30 күн ішінде мерзімі бітетін кілттер", "keys.none": "Жоқ.",
		"availability": "Шлюздің қолжетімділігі", "availability.none": "әлі өлшенбеген",
		"taxpayer": "Салық төлеуші", "form": "Нысан", "period": "Кезең", "kind": "Түрі", "updated": "Жаңартылды", "reason": "Себебі",
		"filter": "Іріктеу", "all": "барлығы", "prev": "Жаңалары", "next": "Ескілері", "page": "Бет",
		"history": "Тарих", "notices": "Салық органының хабарламалары", "exchanges": "Шлюзбен алмасу",
		"request": "Сұрау", "answer": "Жауап", "download": "жүктеу", "deadletter": "Жеткізілмеді", "none": "Жоқ.",
		"replay": "Қайталау", "replay.all": "Осы себептегілердің бәрін қайталау", "replay.confirm": "Осы нысандарды қайта жіберу керек пе?",
		"replay.go": "Иә, қайталау", "cancel": "Болдырмау", "audit": "Қайталаулар", "who": "Кім", "when": "Қашан", "ids": "Нысандар",
		"attempts": "Әрекеттер", "code": "Коды", "at": "Уақыты", "live": "тікелей", "requestid": "СОНО сұрау нөмірі",
		"outcome": "Нәтиже", "service": "Сервис", "latency": "Кідіріс", "replayed": "Қайталанды",
		"nav.notices": "Хабарламалар", "number": "Нөмірі", "type": "Түрі", "text": "Мәтіні", "notices.none": "Салық органының хабарламалары әлі жоқ.",
	},
}

// langOf is the request's chosen language, or the default.
func langOf(r *http.Request) string {
	if c, err := r.Cookie(langCookie); err == nil {
		for _, l := range langs {
			if c.Value == l {
				return l
			}
		}
	}
	return langs[0]
}

// word is key in lang, falling back to English and then to the key, so
// that a missing translation shows, not breaks the page.
func word(lang, key string) string {
	if w, ok := chrome[lang][key]; ok {
		return w
	}
	if w, ok := chrome["en"][key]; ok {
		return w
	}
	return key
}

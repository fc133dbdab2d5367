package labels

import "github.com/salyq/salyq/pkg/statusfsm"

// Label is a status's name in Russian (as SONO sends it) and in Kazakh.
type Label struct {
	RU, KK string
}

// statusLabels names SONO's 25 statuses (docs/STATUSES.md) and the
// product's states in Russian and Kazakh.
//
// The Kazakh names are OUR TRANSLATION, not SONO's: no official Kazakh
// list of СОНО's status names was found (the search covered the public
// pages we could reach; the Kazakh cabinet of the taxpayer was not
// available). The translation follows the terms of the Kazakh edition
// of the Tax Code and of the e-government portal: тапсыру/қабылдау for
// filing and acceptance, өңдеу for processing, есептеу карточкасына
// жазу (here: тарату, the term of the Kazakh cabinet for «разноска»)
// for posting, кері қайтарып алу for withdrawal, сторно kept as the
// accounting loan-word. Replace an entry when the official name is
// known; the Russian names are SONO's and stay verbatim.
var statusLabels = map[statusfsm.Status]Label{
	statusfsm.StateQueued:         {"В очереди", "Кезекте"},
	statusfsm.StateSending:        {"Отправляется", "Жіберілуде"},
	statusfsm.StateSent:           {"Передана в СОНО", "СОНО-ға берілді"},
	statusfsm.StateFailedDelivery: {"Не доставлена", "Жеткізілмеді"},

	"Отправлена":                      {"Отправлена", "Жіберілді"},
	"Доставлена":                      {"Доставлена", "Жеткізілді"},
	"Принята, но не разобрана":        {"Принята, но не разобрана", "Қабылданды, бірақ талданбады"},
	"Обрабатывается на сервере":       {"Обрабатывается на сервере", "Серверде өңделуде"},
	"Обрабатывается в ЦУЛС":           {"Обрабатывается в ЦУЛС", "ЖШОО-да өңделуде"},
	"На заверении":                    {"На заверении", "Куәландыруда"},
	"Заверена":                        {"Заверена", "Куәландырылды"},
	"Отправляется во внешнюю систему": {"Отправляется во внешнюю систему", "Сыртқы жүйеге жіберілуде"},
	"Принята":                         {"Принята", "Қабылданды"},
	"Обработана":                      {"Обработана", "Өңделді"},
	"Ожидает разноски":                {"Ожидает разноски", "Таратуды күтуде"},
	"Разноска отложена":               {"Разноска отложена", "Тарату кейінге қалдырылды"},
	"Разнесена":                       {"Разнесена", "Таратылды"},
	"Разнесена с ошибкой":             {"Разнесена с ошибкой", "Қатемен таратылды"},
	"Ошибка разноски":                 {"Ошибка разноски", "Тарату қатесі"},
	"Не подлежит разноске":            {"Не подлежит разноске", "Таратуға жатпайды"},
	"Отсутствует сумма к разноске":    {"Отсутствует сумма к разноске", "Таратуға сома жоқ"},
	"Не принята":                      {"Не принята", "Қабылданбады"},
	"Отклонена":                       {"Отклонена", "Қабылданбай қайтарылды"},
	"Отказ в выдаче патента":          {"Отказ в выдаче патента", "Патент беруден бас тарту"},
	"Патент выдан":                    {"Патент выдан", "Патент берілді"},
	"Отозвана":                        {"Отозвана", "Кері қайтарып алынды"},
	"Отозвана без сторно":             {"Отозвана без сторно", "Сторносыз кері қайтарып алынды"},
	"Сторнирована":                    {"Сторнирована", "Сторноланды"},
	"Ошибка сторнирования":            {"Ошибка сторнирования", "Сторнолау қатесі"},
}

// Of returns the labels of s; a status outside the table has both
// verbatim.
func Of(s statusfsm.Status) Label {
	if l, ok := statusLabels[s]; ok {
		return l
	}
	return Label{RU: string(s), KK: string(s)}
}

// In is s in lang (ru, kk, en): Russian or Kazakh from the table; in
// English the product's state names and SONO's Russian names (what SONO
// sends and what the tax office's papers say). A status outside the
// table is shown verbatim.
func In(s statusfsm.Status, lang string) string {
	l, ok := statusLabels[s]
	switch {
	case !ok:
		return string(s)
	case lang == "kk":
		return l.KK
	case lang == "ru":
		return l.RU
	}
	switch s {
	case statusfsm.StateQueued, statusfsm.StateSending, statusfsm.StateSent, statusfsm.StateFailedDelivery:
		return string(s)
	}
	return l.RU
}

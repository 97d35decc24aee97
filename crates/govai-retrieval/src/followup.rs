//! Follow-up questions in a conversation: "那需要带哪些材料？" names its topic only in an
//! earlier turn, so searching the question alone finds the wrong passage. A question that opens
//! like a follow-up (a continuation word such as 那/这个/还, or a bare question word with no
//! subject such as 需要/多久/怎么) is searched together with the previous user turn.

use govai_core::{InferenceInput, Role};

/// Openings of a question that leans on an earlier turn for its topic.
const FOLLOW_UP_OPENINGS: &[&str] = &[
    "那",
    "这",
    "它",
    "其",
    "还",
    "再",
    "然后",
    "另外还",
    "此外还",
    "需要",
    "要",
    "怎么",
    "如何",
    "多久",
    "多长",
    "多少",
    "哪些",
    "哪里",
    "在哪",
    "什么时候",
    "可以",
    "能不能",
    "能否",
    "是否",
    "有没有",
    "and ",
    "what about",
    "how long",
    "how much",
    "where",
    "when",
    "which",
    "is it",
    "can i",
    "do i",
];

/// Is `question` a follow-up whose topic is in an earlier turn?
pub fn is_follow_up(question: &str) -> bool {
    let q = question.trim_start().to_lowercase();
    FOLLOW_UP_OPENINGS.iter().any(|o| q.starts_with(o))
}

/// What a retrieval model should search for: the question (the prompt if the question is blank),
/// preceded by the previous user turn when the question is a follow-up.
pub fn retrieval_query(input: &InferenceInput) -> String {
    let question = if input.query.trim().is_empty() { &input.prompt } else { &input.query };
    let previous = input.history.iter().rev().find(|m| m.role == Role::User);
    match previous {
        Some(p) if is_follow_up(question) => format!("{}\n{question}", p.content),
        _ => question.clone(),
    }
}

#[cfg(test)]
mod tests {
    use govai_core::Message;

    use super::*;

    fn input(history: Vec<Message>, query: &str) -> InferenceInput {
        InferenceInput { query: query.into(), prompt: query.into(), history, ..InferenceInput::default() }
    }

    #[test]
    fn follow_ups_are_searched_with_the_previous_user_turn() {
        let history = vec![Message::user("办理居住证需要什么条件？"), Message::assistant("居住半年以上。")];
        assert_eq!(
            retrieval_query(&input(history.clone(), "那需要带哪些材料？")),
            "办理居住证需要什么条件？\n那需要带哪些材料？"
        );
        assert_eq!(
            retrieval_query(&input(history.clone(), "需要多长时间？")),
            "办理居住证需要什么条件？\n需要多长时间？"
        );
        // A question with its own subject stands alone; so does any question without history.
        assert_eq!(retrieval_query(&input(history, "公积金怎么提取？")), "公积金怎么提取？");
        assert_eq!(retrieval_query(&input(vec![], "那需要带哪些材料？")), "那需要带哪些材料？");
    }

    #[test]
    fn follow_up_faq_answers_stay_on_the_conversations_topic() {
        use govai_core::Model;
        let faq = crate::FaqModel::builtin(crate::FaqModel::default_info());
        let history = vec![Message::user("办理居住证需要什么条件？"), Message::assistant("居住半年以上。")];
        let out = pollster::block_on(faq.infer(&input(history, "那需要带哪些材料？"))).unwrap();
        assert!(out.sources.first().is_some_and(|s| s.title.contains("居住证")), "{out:#?}");
    }
}

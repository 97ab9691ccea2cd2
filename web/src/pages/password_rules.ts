// The server's rules for a new password (src/auth/password.hpp), checked before sending so the
// person hears of a mistake at once. The server checks again and has the last word.
export const kMinPasswordChars = 10

// Counts characters as people do (code points), so 「密码」 is two, not six bytes.
export function passwordLength(password: string): number {
    return [...password].length
}

export type PasswordProblem = 'tooShort' | 'sameAsUsername' | 'sameAsOld' | null

// What is wrong with `password` as a new password for `username`, replacing `oldPassword`.
export function newPasswordProblem(password: string, username: string, oldPassword = ''): PasswordProblem {
    if (passwordLength(password) < kMinPasswordChars) return 'tooShort'
    if (password.toLowerCase() === username.toLowerCase()) return 'sameAsUsername'
    if (oldPassword !== '' && password === oldPassword) return 'sameAsOld'
    return null
}
